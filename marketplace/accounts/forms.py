"""Account forms. Messages name the field and say what to do."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from marketplace.accounts.rules import password_problem

LOCALES = [SelectChoice("nl", "Nederlands", {"lang": "nl"}), SelectChoice("en", "English", {"lang": "en"})]


def _new_password(form, field):
    problem = password_problem(field.data or "", getattr(form, "email", None) and form.email.data or "")
    if problem:
        raise ValidationError(problem)


def _email_field(label=None):
    return EmailField(
        label or _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul uw e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.be."), check_deliverability=False),
            Length(max=254, message=_l("Een e-mailadres heeft hoogstens 254 tekens.")),
        ],
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Uw naam"),
        validators=[
            DataRequired(_l("Vul uw naam in.")),
            Length(max=120, message=_l("Uw naam mag hoogstens 120 tekens hebben.")),
        ],
    )
    email = _email_field()
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_l("Kies een wachtwoord.")), _new_password])
    password_again = PasswordField(
        _l("Wachtwoord nog eens"),
        validators=[
            DataRequired(_l("Vul het wachtwoord nog eens in.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk.")),
        ],
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in."))])
    next = HiddenField()


class EmailForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"), validators=[DataRequired(_l("Kies een nieuw wachtwoord.")), _new_password]
    )
    password_again = PasswordField(
        _l("Nieuw wachtwoord nog eens"),
        validators=[
            DataRequired(_l("Vul het nieuwe wachtwoord nog eens in.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk.")),
        ],
    )


class SettingsForm(FlaskForm):
    name = StringField(
        _l("Uw naam"),
        validators=[
            DataRequired(_l("Vul uw naam in.")),
            Length(max=120, message=_l("Uw naam mag hoogstens 120 tekens hebben.")),
        ],
    )
    locale = RadioField(
        _l("Taal van de website en van e-mails"),
        choices=LOCALES,
        validators=[DataRequired(_l("Kies een taal."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"), validators=[DataRequired(_l("Vul uw huidige wachtwoord in."))]
    )
    password = PasswordField(
        _l("Nieuw wachtwoord"), validators=[DataRequired(_l("Kies een nieuw wachtwoord.")), _new_password]
    )
    password_again = PasswordField(
        _l("Nieuw wachtwoord nog eens"),
        validators=[
            DataRequired(_l("Vul het nieuwe wachtwoord nog eens in.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk.")),
        ],
    )
