def test_every_offer_and_need_view_declares_one_access_rule(app):
    mine = {
        endpoint: view for endpoint, view in app.view_functions.items() if endpoint.split(".")[0] in ("offers", "needs")
    }
    assert len(mine) >= 15
    missing = [endpoint for endpoint, view in mine.items() if not getattr(view, "access_rule", None)]
    assert missing == []


def test_object_urls_use_typed_converters(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("offers", "needs") and rule.arguments:
            for argument in rule.arguments:
                assert rule._converters[argument].__class__.__name__ in ("IntegerConverter", "AnyConverter"), rule
