"""A real server and a real Chromium for the journeys, with axe-core on every page.

One server process (on 127.0.0.1, a free port, a fresh database in a temporary folder) and one
browser serve the whole test session; each test gets fresh browser contexts (cookies) from
`open_page`. Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (as in CI),
which makes a missing browser a failure.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.seed import PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
AXE_SOURCE = PROJECT_ROOT / "tests" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERVER_SECRET = "browser-test-secret"


def _require_or_skip(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _require_or_skip("no Chromium installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _require_or_skip("Playwright for Python is not installed")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(chromium_path, tmp_path_factory):
    """The real app, served by its own process over a fresh database; yields the base URL."""
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "MARKETPLACE_INSTANCE": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'werkbrug.db'}",
        "SEARCH_INDEX_DIR": str(folder / "search_index"),
        "MAIL_OUTBOX_DIR": str(folder / "mail-outbox"),
        "SECRET_KEY": SERVER_SECRET,
        "MAIL_SERVER": "",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    # The browser session keeps SQLite even when the rest of the suite runs on PostgreSQL.
    env.pop("TEST_DATABASE_URL", None)
    port = _free_port()
    env["PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    seed = subprocess.run(
        [sys.executable, "-m", "tests.browser.seed"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if seed.returncode != 0:
        raise RuntimeError(f"seeding the browser database failed:\n{seed.stdout}\n{seed.stderr}")
    log = folder / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)]
            + ["--no-reload", "--no-debugger", "--with-threads"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url + "/", process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=["--disable-gpu"])
        yield chromium
        chromium.close()


class Visitor:
    """A person in a browser: every page they reach is checked with axe-core before they act on it."""

    def __init__(self, page, base_url: str, language: str):
        self.page = page
        self.base_url = base_url
        self.language = language
        self.checked: list[str] = []

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, expect_status: int | None = 200):
        response = self.page.goto(self.url(path))
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (path, response and response.status)
        self.check()
        return response

    def check(self) -> None:
        """axe-core with the WCAG 2.0/2.1 A and AA rules on the page as it is now: no violations."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
            page.evaluate(AXE_SOURCE.read_text())
        result = page.evaluate(
            "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})); }",
            WCAG_TAGS,
        )
        assert result == [], f"axe-core violations on {page.url} ({self.language}):\n" + json.dumps(result, indent=2)
        html_lang = page.evaluate("() => document.documentElement.lang")
        assert html_lang == self.language, f"{page.url} is in {html_lang!r}, expected {self.language!r}"
        self.checked.append(page.url)

    def login(self, email: str, password: str = PASSWORD) -> None:
        self.goto("/aanmelden")
        page = self.page
        page.get_by_label(re.compile(r"^(E-mailadres|E-mail address)")).fill(email)
        page.get_by_label(re.compile(r"^(Wachtwoord|Password)")).fill(password)
        page.get_by_role("button", name=re.compile(r"^(Aanmelden|Log in|Sign in)$")).click()
        page.wait_for_load_state("load")
        self.check()

    def text(self) -> str:
        return re.sub(r"\s+", " ", self.page.inner_text("main"))


@pytest.fixture()
def open_page(browser, live_server, request):
    """Open a fresh browser context (no cookies) in a language and window size; returns a Visitor.

    When the test ends, the last page of each visitor is kept as a screenshot in test-artifacts/.
    """
    contexts = []

    def _open(language: str = "nl", width: int = 1280, height: int = 900, zoom: float = 1.0) -> Visitor:
        context = browser.new_context(
            locale={"nl": "nl-BE", "en": "en-GB"}[language],
            extra_http_headers={"Accept-Language": {"nl": "nl-BE,nl", "en": "en-GB,en"}[language]},
            # 200% zoom in a 360 px window is what a 180 CSS px viewport at device scale 2 shows.
            viewport={"width": int(width / zoom), "height": int(height / zoom)},
            device_scale_factor=zoom,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Visitor(context.new_page(), live_server, language)

    yield _open
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for number, context in enumerate(contexts):
        for page in context.pages[-1:]:
            # A failed screenshot must not hide the test's own outcome.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
        context.close()
