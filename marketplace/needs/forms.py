"""Forms for the three kinds of need. The rules (marketplace/needs/rules.py) do the checking."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from marketplace.needs.models import RESERVATIONS
from marketplace.offers.forms import Marked, MultiCheckboxField, RulesForm, domain_choices, joined
from marketplace.offers.validation import brussels_time

LOT_ROWS = 5


def _number(value) -> str:
    return "" if value is None else str(value).replace(".", ",")


class NeedForm(RulesForm):
    """An outsourcing need: work done at the supplier."""

    kind = "outsourcing"
    error_fields = {"province": "postcode", "kind": "title"}

    title = StringField(_l("Titel"), validators=[Marked()])
    description = TextAreaField(_l("Wat moet er gebeuren?"))
    domains = MultiCheckboxField(_l("Activiteitsdomeinen"), validate_choice=False)
    postcode = StringField(_l("Postcode"), validators=[Marked()])
    volume_fte = StringField(_l("Volume in VTE"))
    starts_on = StringField(_l("Startdatum"))
    ends_on = StringField(_l("Einddatum"))
    budget_min_eur = StringField(_l("Budget vanaf (euro)"))
    budget_max_eur = StringField(_l("Budget tot (euro)"))
    cpv_codes = StringField(_l("CPV-codes"))

    def __init__(self, *args, need=None, **kwargs):
        if need is not None and "formdata" not in kwargs:
            kwargs.setdefault("data", self.data_of(need))
        super().__init__(*args, **kwargs)
        self.domains.choices = domain_choices()

    def data_of(self, need) -> dict:
        data = {
            "title": need.title,
            "description": need.description,
            "domains": [d.code for d in need.domains],
            "postcode": need.postcode,
            "volume_fte": _number(need.volume_fte),
            "starts_on": need.starts_on.isoformat() if need.starts_on else "",
            "ends_on": need.ends_on.isoformat() if need.ends_on else "",
            "budget_min_eur": _number(need.budget_min_eur),
            "budget_max_eur": _number(need.budget_max_eur),
            "cpv_codes": joined(need.cpv_codes),
        }
        for name in ("team_size", "site_address", "host_core_activity", "tasks", "risks_and_safety"):
            data[name] = "" if getattr(need, name) is None else str(getattr(need, name))
        data.update(working_hours=need.working_hours, travel=need.travel)
        return data

    def to_data(self) -> dict:
        return {**super().to_data(), "kind": self.kind}


class EnclaveForm(NeedForm):
    """An enclave request, with what the collective agreement on enclave work asks for."""

    kind = "enclave"
    budget_min_eur = None
    budget_max_eur = None
    volume_fte = None
    cpv_codes = None
    team_size = StringField(_l("Aantal werknemers in de ploeg"), validators=[Marked()])
    site_address = StringField(_l("Adres van de werkplek"), validators=[Marked()])
    host_core_activity = TextAreaField(_l("Kernactiviteit van uw bedrijf"), validators=[Marked()])
    tasks = TextAreaField(_l("Taken van de ploeg"), validators=[Marked()])
    risks_and_safety = TextAreaField(_l("Risico's en veiligheidsmaatregelen"), validators=[Marked()])
    working_hours = StringField(_l("Werkuren"), validators=[Marked()])
    travel = TextAreaField(_l("Verplaatsing naar de werkplek"))
    starts_on = StringField(_l("Startdatum"), validators=[Marked()])
    ends_on = StringField(_l("Einddatum (einde van de duur)"))


class ContractForm(NeedForm):
    """A reserved public contract (voorbehouden opdracht) with its lots."""

    kind = "reserved_contract"
    error_fields = {**NeedForm.error_fields, "deadline_at": "deadline_date", "lots": "lot1_title"}
    budget_min_eur = None
    budget_max_eur = None
    volume_fte = None
    procurement_reference = StringField(_l("Referentie van de opdracht"), validators=[Marked()])
    cpv_codes = StringField(_l("CPV-codes"), validators=[Marked()])
    estimated_value_eur = StringField(_l("Geraamde waarde (euro, zonder btw)"), validators=[Marked()])
    deadline_date = StringField(_l("Uiterste indieningsdatum"), validators=[Marked()])
    deadline_time = StringField(_l("Uur (Brusselse tijd)"), default="12:00")
    reservation = RadioField(_l("Soort voorbehoud (eForms BT-71)"), validate_choice=False)
    is_recognised_only = BooleanField(_l("Alleen erkende maatwerkbedrijven mogen deelnemen"))
    is_execution_reserved = BooleanField(
        _l("De uitvoering is voorbehouden aan programma's voor beschutte arbeid (eForms BT-736)")
    )
    tender_url = StringField(_l("Link naar de officiële opdrachtdocumenten"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 warns about tuple choices passed to the constructor.
        self.reservation.choices = [(code, f"{code}: {label}") for code, label in RESERVATIONS.items()]

    def data_of(self, need) -> dict:
        data = super().data_of(need)
        local = brussels_time(need.deadline_at)
        data.update(
            procurement_reference=need.procurement_reference,
            estimated_value_eur=_number(need.estimated_value_eur),
            deadline_date=local.date().isoformat() if local else "",
            deadline_time=local.strftime("%H:%M") if local else "12:00",
            reservation=need.reservation,
            is_recognised_only=need.is_recognised_only,
            is_execution_reserved=need.is_execution_reserved,
            tender_url=need.tender_url,
        )
        for lot in need.lots[:LOT_ROWS]:
            data[f"lot{lot.number}_title"] = lot.title
            data[f"lot{lot.number}_reserved"] = lot.is_reserved
        return data

    def to_data(self) -> dict:
        data = super().to_data()
        day, time = (data.pop("deadline_date") or "").strip(), (data.pop("deadline_time") or "").strip()
        data["deadline_at"] = f"{day}T{time or '12:00'}" if day else ""
        data["lots"] = [
            {"title": data.pop(f"lot{n}_title"), "is_reserved": data.pop(f"lot{n}_reserved")}
            for n in range(1, LOT_ROWS + 1)
        ]
        return data

    def lot_rows(self):
        return [(n, self[f"lot{n}_title"], self[f"lot{n}_reserved"]) for n in range(1, LOT_ROWS + 1)]


# A fixed number of lot rows, so that several lots fit in one form without JavaScript; empty rows are ignored.
for _n in range(1, LOT_ROWS + 1):
    setattr(ContractForm, f"lot{_n}_title", StringField(_l("Titel van perceel %(n)s", n=_n)))
    setattr(ContractForm, f"lot{_n}_reserved", BooleanField(_l("Perceel %(n)s is voorbehouden", n=_n), default=True))

FORMS = {"outsourcing": NeedForm, "enclave": EnclaveForm, "reserved_contract": ContractForm}
SLUGS = {"uitbesteding": "outsourcing", "enclave": "enclave", "voorbehouden-opdracht": "reserved_contract"}
