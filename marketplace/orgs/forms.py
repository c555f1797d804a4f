"""Organisation forms: registration, profile settings, invitations, roles and claims."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from marketplace.orgs import rules
from marketplace.orgs.models import MEMBER_ROLES, ORG_KINDS, SIZE_CLASSES


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


def _check(rule):
    def validator(form, field):
        problem = rule(field.data or "")
        if problem:
            raise ValidationError(problem)

    return validator


class OrganisationProfileForm(FlaskForm):
    """The fields an owner keeps up to date."""

    name = StringField(
        _l("Naam van de organisatie"),
        validators=[
            DataRequired(_l("Vul de naam van de organisatie in.")),
            Length(max=200, message=_l("De naam mag hoogstens 200 tekens hebben.")),
        ],
    )
    description = TextAreaField(
        _l("Korte voorstelling"),
        validators=[Optional(), Length(max=5000, message=_l("De voorstelling mag hoogstens 5000 tekens hebben."))],
    )
    postcode = StringField(
        _l("Postcode"), validators=[DataRequired(_l("Vul de postcode in.")), _check(rules.postcode_problem)]
    )
    municipality = StringField(
        _l("Gemeente"),
        validators=[
            DataRequired(_l("Vul de gemeente in.")),
            Length(max=100, message=_l("De gemeente mag hoogstens 100 tekens hebben.")),
        ],
    )
    nace = StringField(
        _l("NACE-code van de hoofdactiviteit"),
        validators=[DataRequired(_l("Vul de NACE-code in.")), _check(rules.nace_problem)],
    )
    size_class = RadioField(
        _l("Grootte"),
        choices=_choices(SIZE_CLASSES),
        validators=[DataRequired(_l("Kies de grootte van de organisatie."))],
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), _check(rules.website_problem)],
        filters=[lambda value: value.strip() if value else value],
    )
    is_eligible_declared = BooleanField(
        _l(
            "Wij verklaren dat onze organisatie voldoet aan artikel 20 van de Europese richtlijn 2014/24/EU: "
            "onze hoofddoelstelling is de sociale en professionele integratie van personen met een handicap "
            "of kansengroepen, en minstens 30% van onze werknemers behoort tot die groepen."
        )
    )

    def validate_name(self, field):
        field.data = field.data.strip()


class RegisterOrganisationForm(OrganisationProfileForm):
    kbo = StringField(
        _l("Ondernemingsnummer"),
        validators=[DataRequired(_l("Vul het ondernemingsnummer in.")), _check(rules.kbo_problem)],
    )
    kind = RadioField(
        _l("Soort organisatie"),
        choices=_choices(ORG_KINDS),
        validators=[DataRequired(_l("Kies de soort organisatie."))],
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres van de persoon die u uitnodigt"),
        validators=[
            DataRequired(_l("Vul het e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.be."), check_deliverability=False),
            Length(max=254, message=_l("Een e-mailadres heeft hoogstens 254 tekens.")),
        ],
    )
    role = RadioField(
        _l("Rol"), choices=_choices(MEMBER_ROLES), default="member", validators=[DataRequired(_l("Kies een rol."))]
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=_choices(MEMBER_ROLES), validators=[DataRequired(_l("Kies een rol."))])


class ClaimForm(FlaskForm):
    evidence = TextAreaField(
        _l("Waarom mag u dit profiel beheren?"),
        validators=[
            DataRequired(_l("Leg uit waarom u dit profiel mag beheren.")),
            Length(min=20, max=5000, message=_l("Schrijf tussen 20 en 5000 tekens uitleg.")),
        ],
    )


class SwitchForm(FlaskForm):
    org_id = RadioField(
        _l("Voor welke organisatie werkt u nu?"), coerce=int, validators=[DataRequired(_l("Kies een organisatie."))]
    )
