"""Administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from marketplace.accounts.models import PLATFORM_ROLES

ROLE_LABELS = {"admin": _l("Beheerder van Werkbrug"), "analyst": _l("Analist")}


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reden (de aanvrager krijgt ze te lezen)"),
        validators=[
            DataRequired(_l("Vul een reden in.")),
            Length(min=5, max=1000, message=_l("Schrijf een reden van 5 tot 1000 tekens.")),
        ],
    )


class RecognitionForm(FlaskForm):
    is_recognised = BooleanField(_l("Erkend als maatwerkbedrijf"))
    recognised_on = DateField(
        _l("Datum van erkenning"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"type": "date"},
    )
    source = StringField(
        _l("Bron van de erkenning"),
        validators=[Length(max=300, message=_l("De bron mag hoogstens 300 tekens hebben."))],
    )

    def validate_recognised_on(self, field):
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors[:] = []  # replace WTForms' English message with ours
            raise ValidationError(_l("Vul een geldige datum in, bijvoorbeeld 2024-01-01."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Optional() ends the date's own chain when it is empty, so the cross-field rule lives here.
        if self.is_recognised.data and self.recognised_on.data is None and not self.recognised_on.errors:
            self.recognised_on.errors.append(_l("Vul de datum van erkenning in, bijvoorbeeld 2024-01-01."))
            valid = False
        return valid

    def validate_source(self, field):
        if self.is_recognised.data and not (field.data or "").strip():
            raise ValidationError(_l("Vul de bron in, bijvoorbeeld het besluit of de lijst van het departement."))


class PlatformRoleForm(FlaskForm):
    role = SelectField(
        _l("Rol op het platform"),
        choices=[SelectChoice("", _l("Geen"))] + [SelectChoice(role, ROLE_LABELS[role]) for role in PLATFORM_ROLES],
        validate_choice=True,
    )
