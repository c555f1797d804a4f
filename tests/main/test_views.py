from tests.conftest import page, text_of


def test_home_is_dutch_with_landmarks(client):
    response = client.get("/")
    assert response.status_code == 200
    html = page(response)
    assert html.html["lang"] == "nl"
    assert html.find("main", id="main")
    assert html.find("a", class_="skip-link")["href"] == "#main"
    assert "Zoek een leverancier" in text_of(response)


def test_language_switch_to_english(client):
    client.post("/taal", data={"lang": "en", "next": "/over"})
    response = client.get("/over")
    assert page(response).html["lang"] == "en"


def test_language_switch_refuses_foreign_redirect(client):
    response = client.post("/taal", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_unknown_page_is_friendly_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text_of(response)
    assert "Traceback" not in response.get_data(as_text=True)
