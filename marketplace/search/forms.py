"""Filters of the supplier search page and the reservation advice (GET forms, shareable URLs)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from marketplace.offers.forms import domain_choices, province_choices

SORTS = {"relevance": _l("Relevantie"), "name": _l("Naam")}


class Range(NumberRange):
    """NumberRange that also refuses what it cannot compare: an integer too big for a float
    (OverflowError) or a signalling NaN (ValueError) from the URL would otherwise be a 500."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except (OverflowError, ValueError) as error:
            raise ValidationError(self.message) from error


class GetForm(FlaskForm):
    class Meta:
        csrf = False


class SearchForm(GetForm):
    q = StringField(
        _l("Zoekwoorden"), validators=[Optional(), Length(max=200, message=_l("Gebruik hoogstens 200 tekens."))]
    )
    domain = SelectField(_l("Activiteitendomein"), validators=[Optional()], validate_choice=False)
    province = SelectField(_l("Werkt in provincie"), validators=[Optional()], validate_choice=False)
    recognised = BooleanField(_l("Alleen erkende maatwerkbedrijven"))
    enclave = BooleanField(_l("Enclavewerking mogelijk"))
    min_team = IntegerField(
        _l("Minimale ploeggrootte (enclave)"),
        validators=[Optional(), Range(min=1, max=500, message=_l("Geef een ploeggrootte tussen 1 en 500."))],
    )
    min_capacity = DecimalField(
        _l("Minimale capaciteit in VTE"),
        places=None,
        validators=[Optional(), Range(min=0, max=100000, message=_l("Geef een capaciteit van 0 of meer."))],
    )
    certification = StringField(_l("Certificaat"), validators=[Optional(), Length(max=80)])
    sort = SelectField(_l("Sorteren op"), default="relevance", validate_choice=False)

    def fill_choices(self):
        self.domain.choices = [("", _l("Alle domeinen")), *domain_choices()]
        self.province.choices = [("", _l("Alle provincies")), *province_choices()]
        self.sort.choices = list(SORTS.items())
        return self

    def filters(self) -> dict:
        """The filters as the index understands them; only valid values."""
        out = {}
        if self.domain.data:
            out["domains"] = [self.domain.data]
        if self.province.data:
            out["provinces"] = [self.province.data]
        if self.recognised.data:
            out["recognised"] = True
        if self.enclave.data:
            out["enclave"] = True
        if self.min_team.data and not self.min_team.errors:
            out["enclave"] = True
            out["min_team"] = self.min_team.data
        if self.min_capacity.data and not self.min_capacity.errors:
            out["min_capacity"] = float(self.min_capacity.data)
        if self.certification.data and self.certification.data.strip():
            out["certifications"] = [self.certification.data.strip()]
        return out


class AdviceForm(GetForm):
    domains = SelectMultipleField(_l("Activiteitendomeinen"), validators=[Optional()], validate_choice=False)
    cpv = StringField(
        _l("CPV-codes"),
        description=_l("Gescheiden door komma's, bijvoorbeeld 77310000-6, 90911200."),
        validators=[Optional(), Length(max=300)],
    )
    province = SelectField(_l("Provincie van uitvoering"), validate_choice=False)
    estimated_value = DecimalField(
        _l("Geraamde waarde in euro (zonder btw)"),
        places=None,
        validators=[Optional(), Range(min=0, message=_l("Geef een bedrag van 0 euro of meer."))],
    )

    def fill_choices(self):
        self.domains.choices = domain_choices()
        self.province.choices = [("", _l("Kies een provincie")), *province_choices()]
        return self
