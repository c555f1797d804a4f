"""Forms of the leads feature. The rules (marketplace/leads/rules.py) do the checking; forms carry values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from marketplace.events.models import COLLABORATION_TYPES
from marketplace.leads.models import DECLINE_REASONS, FREQUENCIES, STOP_REASONS
from marketplace.offers.forms import Marked, MultiCheckboxField, RulesForm, domain_choices, province_choices


def _choices(labels: dict) -> list[tuple[str, str]]:
    return list(labels.items())


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


class DeclineForm(RulesForm):
    reason = RadioField(_l("Reden"), choices=_choices(DECLINE_REASONS), validate_choice=False, validators=[Marked()])
    note = TextAreaField(_l("Toelichting"))


class CollaborationForm(RulesForm):
    type = RadioField(
        _l("Soort samenwerking"), choices=_choices(COLLABORATION_TYPES), validate_choice=False, validators=[Marked()]
    )
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


class EndForm(RulesForm):
    ended_on = StringField(_l("Einddatum"))
    reason = RadioField(_l("Waarom stopt de samenwerking?"), choices=_choices(STOP_REASONS), validate_choice=False)
    note = TextAreaField(_l("Toelichting"))


class ExtendForm(RulesForm):
    ends_on = StringField(_l("Nieuwe einddatum"), validators=[Marked()])


class OutcomeForm(RulesForm):
    had_deal = RadioField(
        _l("Leidde deze vraag tot een akkoord?"),
        choices=[("yes", _l("Ja")), ("no", _l("Nee"))],
        validate_choice=False,
        validators=[Marked()],
    )
    value_eur = StringField(_l("Waarde in euro (excl. btw)"))
    note = TextAreaField(_l("Toelichting"))


class SubscriptionForm(RulesForm):
    domains = MultiCheckboxField(_l("Activiteitsdomeinen"), validate_choice=False)
    provinces = MultiCheckboxField(_l("Provincies"), validate_choice=False)
    frequency = RadioField(
        _l("Hoe vaak wilt u mail?"), choices=_choices(FREQUENCIES), default="daily", validate_choice=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains.choices = domain_choices()
        self.provinces.choices = province_choices()


class SavedSearchForm(RulesForm):
    name = StringField(_l("Naam van de zoekopdracht"), validators=[Marked()])
    target = RadioField(
        _l("Waarnaar zoekt u?"),
        choices=[("need", _l("Vragen en opdrachten")), ("offer", _l("Leveranciers en hun aanbod"))],
        validate_choice=False,
        validators=[Marked()],
    )
    query = StringField(_l("Zoekwoorden"))
    domain = SelectField(_l("Activiteitsdomein"), validate_choice=False)
    province = SelectField(_l("Provincie"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain.choices = [("", _l("Alle domeinen")), *domain_choices()]
        self.province.choices = [("", _l("Alle provincies")), *province_choices()]


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: a single button."""
