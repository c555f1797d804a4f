"""Every UI string in the code and templates has an English translation with the same placeholders."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENGLISH = PROJECT_ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _extracted(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + ["-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(f) if message.id}


def _english() -> dict:
    with ENGLISH.open("rb") as f:
        catalog = read_po(f, locale="en")
    translations = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string if isinstance(message.string, str) else message.string[0]
        if string:
            translations[key] = string
    return translations


def test_every_string_has_an_english_translation(tmp_path):
    missing = sorted(_extracted(tmp_path) - set(_english()))
    assert not missing, f"{len(missing)} strings without English (run `make extract` and translate): {missing[:10]}"


def test_translations_keep_their_placeholders():
    wrong = [
        msgid
        for msgid, string in _english().items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(string))
    ]
    assert not wrong, wrong[:10]
