"""The figures move when a buyer and a supplier agree through the leads services, and verify holds."""

from datetime import date

from marketplace.indicator import counters
from marketplace.indicator.queries import load_cells
from marketplace.leads import services
from tests.factories import make_need, make_offer, make_org


def test_agreement_and_extension_through_the_leads_services_move_the_counters(app):
    buyer = make_org(kind="onderneming", province="VOV", postcode="9000", nace="43.21", size_class="micro")
    supplier = make_org(kind="maatwerkbedrijf")
    make_offer(supplier)
    need = make_need(buyer)
    lead = services.express_interest(need, supplier)
    data = {"type": "uitbesteding", "starts_on": "2027-01-04", "ends_on": "2027-06-30", "value_eur": "12.500,00"}
    collaboration = services.record_agreement(lead, {**data, "fte": "2,5"})
    cells = load_cells(["2027Q1", "2027Q2", "2027Q3"])
    assert cells[("active_collaborations", "2027Q1", "total", "")].total == 1
    assert cells[("active_collaborations", "2027Q2", "province", "VOV")].total == 1
    assert cells[("active_collaborations", "2027Q1", "nace_section", "F")].total == 1
    assert ("active_collaborations", "2027Q3", "total", "") not in cells
    services.extend_collaboration(collaboration, date(2027, 9, 30))
    assert load_cells(["2027Q3"])[("active_collaborations", "2027Q3", "total", "")].total == 1
    assert counters.verify() == []
