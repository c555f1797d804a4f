"""Offer form. The rules (marketplace/offers/rules.py) do the checking; the form carries the values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.orgs.geography import PROVINCES
from marketplace.taxonomy.models import ActivityDomain


class Marked:
    """Marks a field as required for the label and the browser; the rules give the message."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def domain_choices() -> list[tuple[str, str]]:
    language = current_language()
    domains = db.session.scalars(select(ActivityDomain).order_by(ActivityDomain.label_nl))
    choices = [(d.code, d.label(language)) for d in domains]
    return sorted(choices, key=lambda choice: choice[1].lower())


def province_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in PROVINCES.items()]


class RulesForm(FlaskForm):
    """A form whose values go to a service as a dict, and whose rule errors come back onto its fields."""

    # Rule field name -> form field name, where they differ.
    error_fields: dict[str, str] = {}

    def to_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def apply_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            field = self._fields.get(self.error_fields.get(key, key))
            if field is None:
                field = next(f for name, f in self._fields.items() if name != "csrf_token")
            field.errors = [*list(field.errors or []), message]


def joined(values) -> str:
    return ", ".join(values or [])


class OfferForm(RulesForm):
    title = StringField(_l("Titel"), validators=[Marked()])
    description = TextAreaField(_l("Beschrijving"))
    domains = MultiCheckboxField(_l("Activiteitsdomeinen"), validate_choice=False)
    regions = MultiCheckboxField(_l("Provincies waar u werkt"), validate_choice=False)
    capacity_fte = StringField(_l("Capaciteit in VTE"))
    cpv_codes = StringField(_l("CPV-codes"))
    certifications = StringField(_l("Certificaten"))
    has_enclave = BooleanField(_l("Wij werken ook in enclave (een ploeg met begeleider op de werkplek van de klant)"))
    enclave_max_team = StringField(_l("Grootste enclaveploeg (aantal werknemers)"))

    def __init__(self, *args, offer=None, **kwargs):
        if offer is not None and "formdata" not in kwargs:
            kwargs.setdefault(
                "data",
                {
                    "title": offer.title,
                    "description": offer.description,
                    "domains": [d.code for d in offer.domains],
                    "regions": offer.regions,
                    "capacity_fte": "" if offer.capacity_fte is None else str(offer.capacity_fte).replace(".", ","),
                    "cpv_codes": joined(offer.cpv_codes),
                    "certifications": joined(offer.certifications),
                    "has_enclave": offer.has_enclave,
                    "enclave_max_team": str(offer.enclave_max_team or ""),
                },
            )
        super().__init__(*args, **kwargs)
        self.domains.choices = domain_choices()
        self.regions.choices = province_choices()


class DirectoryFilterForm(FlaskForm):
    """The directory's filters, sent with GET (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    domain = SelectField(_l("Activiteitsdomein"), validate_choice=False)
    province = SelectField(_l("Provincie"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain.choices = [("", _l("Alle domeinen")), *domain_choices()]
        self.province.choices = [("", _l("Alle provincies")), *province_choices()]
