"""The collaboration indicator's figures: the one source for computing them and for the methodology sheet.

What the events must carry (the contract with whoever records them, see marketplace/events/services.py):

- "need_published" with `need=` (the buyer's dimensions and need_kind come from it). A need that is
  published again counts once, at its first publication.
- "first_answer" with `need=` and `supplier=`: a supplier's first reply to the buyer. The first one per
  need counts.
- "agreement" with `need=`, `buyer=`, `supplier=`, `collaboration_id=`, `collaboration_type=`
  (uitbesteding, enclave, voorbehouden_opdracht), `value_eur=`, `fte=` and
  `detail="start=YYYY-MM-DD;end=YYYY-MM-DD"` (the agreed period; `end=` may be left out while open).
- "collaboration_extended" with `collaboration_id=` and `detail="end=YYYY-MM-DD"` (the new planned end).
- "collaboration_completed" / "collaboration_stopped" with `collaboration_id=`; `detail="end=YYYY-MM-DD"`
  when the real end differs from the day the event is recorded.
- "enclave_started" with `buyer=`, `supplier=`, `collaboration_id=`, `workers=`.
- "award" with `need=` (a reserved contract), `supplier=`, `value_eur=`.

How a collaboration's active quarters follow from its events (events taken in id order):

1. Its agreement event gives start and end (`start=` defaults to the agreement's day; dates are
   Europe/Brussels calendar dates). Without an agreement event a collaboration counts nowhere.
2. Each later "collaboration_extended" with `end=` moves the end (earlier or later).
3. "collaboration_completed" or "collaboration_stopped" fixes the end at its `end=` date, or else at
   the day it was recorded, and closes the collaboration: later extensions are ignored.
4. While no end is known the collaboration counts in its start quarter only; an end before the start
   is read as the start. It is active in every calendar quarter from the start's to the end's, at most
   MAX_ACTIVE_QUARTERS of them.

Quarters are calendar quarters in Europe/Brussels time (an event at 23:30 UTC on 31 March is in Q2).
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

METHOD_VERSION = "1.0"
MAX_ACTIVE_QUARTERS = 40
SOCIAL_SUPPLIER_KINDS = ("maatwerkbedrijf", "sociale_onderneming")
REGULAR_BUYER_KINDS = ("onderneming", "overheid")

# Dimensions a cell can be broken down by; "total" has the value "".
DIMENSIONS = {
    "total": _l("Totaal"),
    "province": _l("Provincie van de koper"),
    "nace_section": _l("NACE-sectie van de koper"),
    "size_class": _l("Grootteklasse van de koper"),
    "collaboration_type": _l("Soort samenwerking"),
}
HEADLINE_DIMENSIONS = ("total", "province", "nace_section", "size_class", "collaboration_type")


@dataclass(frozen=True)
class Figure:
    code: str
    name_nl: str
    name_en: str
    definition: str
    calculation: str
    source: str
    frequency: str
    quality: str
    unit: str
    # Stored values are integers: counts, euro cents (scale 100) or tenths of a VTE (scale 10).
    scale: int = 1
    dimensions: tuple[str, ...] = ("total",)
    # Organisation roles a cell rests on, for suppression: "b" buyers, "s" suppliers.
    roles: tuple[str, ...] = ("b",)
    # Shown and published (False for the internal histogram the median is read from).
    published: bool = True
    derived: bool = False
    parts: tuple[str, ...] = field(default=())


_SOURCE = _l("Gebeurtenissenlog van Werkbrug (tabel event), bijgehouden bij elke stap op het platform.")
_QUARTERLY = _l("Per kwartaal (kalenderkwartalen, tijdzone Europe/Brussels); bijgewerkt bij elke gebeurtenis.")
_SCOPE = _l(
    "Alleen samenwerkingen tussen een leverancier uit de sociale economie (maatwerkbedrijf of sociale "
    "onderneming) en een gewone onderneming of overheid als koper."
)

FIGURES: dict[str, Figure] = {
    f.code: f
    for f in (
        Figure(
            code="active_collaborations",
            name_nl=_l("Actieve samenwerkingen"),
            name_en="Active collaborations",
            definition=_l(
                "Samenwerkingen tussen een leverancier uit de sociale economie en een gewone of publieke koper "
                "die in het kwartaal liepen."
            ),
            calculation=_l(
                "Per samenwerking de kwartalen van de begindatum tot de einddatum uit het akkoord, aangepast door "
                "verlengingen en afronding of stopzetting; elke samenwerking telt één keer in elk kwartaal dat haar "
                "periode raakt. Uitsplitsingen volgen de kenmerken van de koper op het moment van het akkoord."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l(
                "Volledig voor samenwerkingen die via Werkbrug zijn vastgelegd; samenwerkingen buiten het platform "
                "ontbreken. Einddata die niet gemeld worden, verkorten de periode tot het beginkwartaal."
            ),
            unit=_l("aantal samenwerkingen"),
            dimensions=HEADLINE_DIMENSIONS,
            roles=("b", "s"),
        ),
        Figure(
            code="distinct_buyers",
            name_nl=_l("Verschillende kopers"),
            name_en="Distinct buyers",
            definition=_l("Aantal verschillende kopers (op ondernemingsnummer) in de actieve samenwerkingen."),
            calculation=_l(
                "Het aantal verschillende koperorganisaties achter elke cel van 'Actieve samenwerkingen'; een "
                "koper met meerdere samenwerkingen telt één keer."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Organisaties worden op hun ondernemingsnummer samengevoegd, nooit op hun naam."),
            unit=_l("aantal organisaties"),
            dimensions=HEADLINE_DIMENSIONS,
            roles=("b", "s"),
            derived=True,
            parts=("active_collaborations",),
        ),
        Figure(
            code="agreed_value_eur",
            name_nl=_l("Waarde van afgesproken werk"),
            name_en="Value of agreed work",
            definition=_l("Som van de waarde (in euro, excl. btw) van de akkoorden die in het kwartaal gesloten zijn."),
            calculation=_l("Som van value_eur van de akkoorden binnen de afbakening, in het kwartaal van het akkoord."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Door de koper opgegeven waarde; niet gecontroleerd tegen facturen."),
            unit=_l("euro"),
            scale=100,
            dimensions=("total", "province", "collaboration_type"),
            roles=("b", "s"),
        ),
        Figure(
            code="agreed_fte",
            name_nl=_l("VTE doelgroepwerk"),
            name_en="FTE of target-group work",
            definition=_l("Som van de voltijdse equivalenten doelgroepwerk in de akkoorden van het kwartaal."),
            calculation=_l("Som van fte van de akkoorden binnen de afbakening, in het kwartaal van het akkoord."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Geschat bij het akkoord; de werkelijk gepresteerde VTE kan afwijken."),
            unit=_l("VTE"),
            scale=10,
            dimensions=("total", "province", "collaboration_type"),
            roles=("b", "s"),
        ),
        Figure(
            code="enclaves_started",
            name_nl=_l("Gestarte enclaves"),
            name_en="Enclaves started",
            definition=_l("Aantal enclaves (ploegen op de werkplek van de klant) die in het kwartaal gestart zijn."),
            calculation=_l("Aantal gebeurtenissen 'Enclave gestart' in het kwartaal."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Volledig voor enclaves die via Werkbrug zijn afgesproken."),
            unit=_l("aantal enclaves"),
            dimensions=("total", "province"),
            roles=("b", "s"),
        ),
        Figure(
            code="enclave_workers",
            name_nl=_l("Doelgroepwerknemers in gestarte enclaves"),
            name_en="Workers in enclaves started",
            definition=_l("Aantal doelgroepwerknemers in de enclaves die in het kwartaal gestart zijn."),
            calculation=_l("Som van workers van de gebeurtenissen 'Enclave gestart' in het kwartaal."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Ploeggrootte bij de start; wissels nadien worden niet gevolgd."),
            unit=_l("aantal werknemers"),
            dimensions=("total", "province"),
            roles=("b", "s"),
        ),
        Figure(
            code="reserved_published",
            name_nl=_l("Gepubliceerde voorbehouden opdrachten"),
            name_en="Reserved contracts published",
            definition=_l("Aantal voorbehouden opdrachten die in het kwartaal voor het eerst gepubliceerd zijn."),
            calculation=_l("Aantal opdrachten met een eerste gebeurtenis 'Vraag gepubliceerd' in het kwartaal."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Alleen opdrachten die op Werkbrug gepubliceerd worden; e-Procurement is niet gekoppeld."),
            unit=_l("aantal opdrachten"),
            dimensions=("total", "province"),
        ),
        Figure(
            code="reserved_awarded",
            name_nl=_l("Gegunde voorbehouden opdrachten"),
            name_en="Reserved contracts awarded",
            definition=_l("Aantal gunningen van voorbehouden opdrachten in het kwartaal."),
            calculation=_l("Aantal gebeurtenissen 'Gunning' voor een voorbehouden opdracht in het kwartaal."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Gunningen die de koper op Werkbrug vastlegt."),
            unit=_l("aantal gunningen"),
            dimensions=("total", "province"),
            roles=("b", "s"),
        ),
        Figure(
            code="public_buyers_active",
            name_nl=_l("Publieke kopers met een gepubliceerde vraag"),
            name_en="Public buyers that published a need",
            definition=_l("Aantal verschillende overheden die in het kwartaal een vraag publiceerden."),
            calculation=_l(
                "Verschillende ondernemingsnummers van kopers van het soort overheid met een eerste publicatie."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Overheden die Werkbrug niet gebruiken, tellen niet mee in de noemer."),
            unit=_l("aantal organisaties"),
        ),
        Figure(
            code="public_buyers_reserved",
            name_nl=_l("Publieke kopers met een voorbehouden opdracht"),
            name_en="Public buyers that published a reserved contract",
            definition=_l("Aantal verschillende overheden die in het kwartaal een voorbehouden opdracht publiceerden."),
            calculation=_l(
                "Verschillende ondernemingsnummers van overheden met een eerste publicatie van een "
                "voorbehouden opdracht."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Zie 'Gepubliceerde voorbehouden opdrachten'."),
            unit=_l("aantal organisaties"),
        ),
        Figure(
            code="public_buyers_reserved_share",
            name_nl=_l("Aandeel publieke kopers dat voorbehoudt"),
            name_en="Share of public buyers that used a reserved contract",
            definition=_l(
                "Aandeel van de publieke kopers met een gepubliceerde vraag dat een voorbehouden opdracht publiceerde."
            ),
            calculation=_l(
                "Verschillende overheden met een voorbehouden opdracht gedeeld door verschillende "
                "overheden met een vraag, in hetzelfde kwartaal, in procent."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l(
                "De noemer telt alleen overheden die Werkbrug gebruiken; het aandeel overschat dus het "
                "gebruik bij alle overheden."
            ),
            unit=_l("procent"),
            derived=True,
            parts=("public_buyers_reserved", "public_buyers_active"),
        ),
        Figure(
            code="needs_published",
            name_nl=_l("Gepubliceerde vragen"),
            name_en="Needs published",
            definition=_l(
                "Aantal vragen (uitbesteding, enclave, voorbehouden opdracht) die in het kwartaal voor het "
                "eerst gepubliceerd zijn: de eerste stap van de trechter."
            ),
            calculation=_l("Aantal vragen met een eerste gebeurtenis 'Vraag gepubliceerd' in het kwartaal."),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Volledig voor Werkbrug."),
            unit=_l("aantal vragen"),
            dimensions=("total", "province"),
        ),
        Figure(
            code="needs_answered",
            name_nl=_l("Vragen met een eerste antwoord"),
            name_en="Needs with a first answer",
            definition=_l(
                "Van de vragen gepubliceerd in het kwartaal: het aantal dat al een eerste antwoord van een "
                "leverancier kreeg (cohorte van het publicatiekwartaal)."
            ),
            calculation=_l(
                "Aantal vragen met een eerste publicatie in het kwartaal en minstens één gebeurtenis "
                "'Eerste antwoord', op elk moment."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Recente kwartalen stijgen nog: antwoorden komen later binnen."),
            unit=_l("aantal vragen"),
            dimensions=("total", "province"),
        ),
        Figure(
            code="needs_agreed",
            name_nl=_l("Vragen met een akkoord"),
            name_en="Needs that found an agreement",
            definition=_l(
                "Van de vragen gepubliceerd in het kwartaal: het aantal dat tot een akkoord leidde "
                "(cohorte van het publicatiekwartaal)."
            ),
            calculation=_l(
                "Aantal vragen met een eerste publicatie in het kwartaal en minstens één gebeurtenis "
                "'Akkoord', op elk moment."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Recente kwartalen stijgen nog: akkoorden komen later."),
            unit=_l("aantal vragen"),
            dimensions=("total", "province"),
        ),
        Figure(
            code="first_answer_days",
            name_nl=_l("Dagen tot eerste antwoord (verdeling)"),
            name_en="Days to first answer (distribution)",
            definition=_l("Intern: aantal vragen per aantal dagen tussen publicatie en eerste antwoord."),
            calculation=_l(
                "Per vraag met een eerste antwoord: één bij het aantal volle dagen, in het kwartaal van het "
                "eerste antwoord."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Hulptabel voor de mediaan."),
            unit=_l("aantal vragen"),
            # "all" (value "") holds every first answer of the quarter: the organisations the median rests on.
            dimensions=("days", "all"),
            published=False,
        ),
        Figure(
            code="median_days_first_answer",
            name_nl=_l("Mediaan dagen tot eerste antwoord"),
            name_en="Median days to a supplier's first answer",
            definition=_l(
                "Mediaan van het aantal dagen tussen de eerste publicatie van een vraag en het eerste "
                "antwoord van een leverancier, voor de eerste antwoorden van het kwartaal."
            ),
            calculation=_l(
                "Een teller kan geen mediaan bijhouden; daarom houdt Werkbrug per kwartaal een verdeling bij (aantal "
                "vragen per aantal volle dagen) en leest de mediaan daaruit bij het tonen. Bij een even aantal is het "
                "het gemiddelde van de twee middelste waarden."
            ),
            source=_SOURCE,
            frequency=_QUARTERLY,
            quality=_l("Volle dagen in UTC-tijd; vragen zonder antwoord tellen niet mee (zie de trechter)."),
            unit=_l("dagen"),
            derived=True,
            parts=("first_answer_days",),
        ),
    )
}

# The figures kept as counters (the others are worked out from them when read).
COUNTED_FIGURES = tuple(code for code, f in FIGURES.items() if not f.derived)
HEADLINE = "active_collaborations"
SIDE_FIGURES = (
    "agreed_value_eur",
    "agreed_fte",
    "enclaves_started",
    "enclave_workers",
    "reserved_published",
    "reserved_awarded",
    "public_buyers_reserved_share",
    "needs_published",
    "needs_answered",
    "needs_agreed",
    "median_days_first_answer",
)


def in_scope(supplier_kind: str, buyer_kind: str) -> bool:
    """A collaboration between the social economy and a regular or public buyer."""
    return supplier_kind in SOCIAL_SUPPLIER_KINDS and buyer_kind in REGULAR_BUYER_KINDS
