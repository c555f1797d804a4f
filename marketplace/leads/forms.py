"""Forms of the leads feature. The rules (marketplace/leads/rules.py) do the checking; forms carry values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from marketplace.events.models import COLLABORATION_TYPES
from marketplace.leads.models import DECLINE_REASONS, FREQUENCIES, STOP_REASONS
from marketplace.offers.forms import Marked, MultiCheckboxField, RulesForm, domain_choices, province_choices


def _choices(labels: dict) -> list[tuple[str, str]]:
    return list(labels.items())


class ChoicesForm(RulesForm):
    """Radio choices are set after construction: WTForms 3.3 warns about tuple choices given to the constructor."""

    radio_choices: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in self.radio_choices.items():
            self[name].choices = list(choices() if callable(choices) else choices)


class InterestForm(RulesForm):
    offer_id = SelectField(_l("Met welk aanbod?"), validate_choice=False)
    availability = StringField(_l("Wanneer kunt u starten, en met hoeveel mensen?"))
    message = TextAreaField(_l("Kort bericht aan de koper"))

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_id.choices = [("", _l("Geen bepaald aanbod"))] + [(str(o.id), o.title) for o in offers]


class InviteForm(RulesForm):
    message = TextAreaField(_l("Bericht bij de uitnodiging"))


class MessageForm(RulesForm):
    body = TextAreaField(_l("Uw bericht"), validators=[Marked()])


class DeclineForm(ChoicesForm):
    radio_choices = {"reason": lambda: _choices(DECLINE_REASONS)}
    reason = RadioField(_l("Reden"), validate_choice=False, validators=[Marked()])
    note = TextAreaField(_l("Toelichting"))


class CollaborationForm(ChoicesForm):
    radio_choices = {"type": lambda: _choices(COLLABORATION_TYPES)}
    type = RadioField(_l("Soort samenwerking"), validate_choice=False, validators=[Marked()])
    starts_on = StringField(_l("Startdatum"), validators=[Marked()])
    ends_on = StringField(_l("Einddatum"))
    value_eur = StringField(_l("Waarde in euro (excl. btw)"))
    fte = StringField(_l("VTE doelgroepwerk"))
    workers = StringField(_l("Aantal werknemers (bij een enclave)"))


class AwardForm(RulesForm):
    starts_on = StringField(_l("Startdatum"), validators=[Marked()])
    ends_on = StringField(_l("Einddatum"))
    value_eur = StringField(_l("Waarde in euro (excl. btw)"))
    fte = StringField(_l("VTE doelgroepwerk"))


class EndForm(ChoicesForm):
    radio_choices = {"reason": lambda: _choices(STOP_REASONS)}
    ended_on = StringField(_l("Einddatum"))
    reason = RadioField(_l("Waarom stopt de samenwerking?"), validate_choice=False)
    note = TextAreaField(_l("Toelichting"))


class ExtendForm(RulesForm):
    ends_on = StringField(_l("Nieuwe einddatum"), validators=[Marked()])


class OutcomeForm(ChoicesForm):
    radio_choices = {"had_deal": lambda: [("yes", _l("Ja")), ("no", _l("Nee"))]}
    had_deal = RadioField(_l("Leidde deze vraag tot een akkoord?"), validate_choice=False, validators=[Marked()])
    value_eur = StringField(_l("Waarde in euro (excl. btw)"))
    note = TextAreaField(_l("Toelichting"))


class SubscriptionForm(ChoicesForm):
    radio_choices = {"frequency": lambda: _choices(FREQUENCIES)}
    domains = MultiCheckboxField(_l("Activiteitsdomeinen"), validate_choice=False)
    provinces = MultiCheckboxField(_l("Provincies"), validate_choice=False)
    frequency = RadioField(_l("Hoe vaak wilt u mail?"), default="daily", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains.choices = domain_choices()
        self.provinces.choices = province_choices()


class SavedSearchForm(ChoicesForm):
    radio_choices = {
        "target": lambda: [("need", _l("Vragen en opdrachten")), ("offer", _l("Leveranciers en hun aanbod"))]
    }
    name = StringField(_l("Naam van de zoekopdracht"), validators=[Marked()])
    target = RadioField(_l("Waarnaar zoekt u?"), validate_choice=False, validators=[Marked()])
    query = StringField(_l("Zoekwoorden"))
    domain = SelectField(_l("Activiteitsdomein"), validate_choice=False)
    province = SelectField(_l("Provincie"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain.choices = [("", _l("Alle domeinen")), *domain_choices()]
        self.province.choices = [("", _l("Alle provincies")), *province_choices()]


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: a single button."""
