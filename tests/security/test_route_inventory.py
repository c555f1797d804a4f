"""Every route declares who may open it, and every URL variable is typed."""

import re

# Views that need no access rule: Flask's own static files.
WITHOUT_ACCESS_RULE = {"static"}
BARE_VARIABLE = re.compile(r"<([^<>:]+)>")


def test_every_view_has_an_access_rule(app):
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in WITHOUT_ACCESS_RULE
        and not getattr(app.view_functions[rule.endpoint], "access_rule", None)
    )
    assert missing == [], f"views without a decorator from marketplace/access.py: {missing}"


def test_access_rules_are_known(app):
    known = re.compile(r"^(public|login|platform:[a-z,]+|org:(owner|member)(:verified)?|api:[a-z_:]+)$")
    odd = {
        endpoint: view.access_rule
        for endpoint, view in app.view_functions.items()
        if endpoint not in WITHOUT_ACCESS_RULE and not known.match(getattr(view, "access_rule", ""))
    }
    assert odd == {}


def test_every_url_variable_has_a_converter(app):
    untyped = sorted(rule.rule for rule in app.url_map.iter_rules() if BARE_VARIABLE.search(rule.rule))
    assert untyped == [], f"URL variables without a converter (use <int:...>, <string:...>): {untyped}"
