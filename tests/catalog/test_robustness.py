"""Whatever a catalog file holds, the check answers with located problems, never a crash."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.catalog.records import CatalogError, parse_catalog
from marketplace.taxonomy.services import load_domains
from tests.catalog.test_import import catalog

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def paths(value, prefix=()):
    """Every place in a JSON value, as a tuple of keys and indexes."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


ALL_PATHS = [p for p in paths(catalog()) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(ALL_PATHS), value=JSON_VALUES)
def test_any_spoiled_value_gives_located_problems_or_a_catalog(app, where, value):
    data = catalog()
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    known = {d["code"] for d in load_domains()}

    try:
        parse_catalog(data, known, {})
    except CatalogError as error:
        assert error.problems
        assert all(isinstance(p, str) and ": " in p for p in error.problems)
