"""What a password and an e-mail address must be. Pure functions, no request."""

from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 8
# Long passphrases are welcome; the cap only keeps hashing cheap for absurd input.
MAX_PASSWORD_LENGTH = 1000
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, or None. Length and the common list only: no composition rules."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Kies een wachtwoord van hoogstens %(n)s tekens.", n=MAX_PASSWORD_LENGTH)
    folded = password.casefold()
    if folded in common_passwords():
        return _("Dit wachtwoord wordt te vaak gebruikt en is makkelijk te raden. Kies een ander.")
    if email and folded == email.strip().casefold():
        return _("Uw wachtwoord mag niet uw e-mailadres zijn.")
    return None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()
