"""A real server and a real Chromium for the journeys, with axe-core on every page.

One server process (on 127.0.0.1, a free port, a fresh database in a temporary folder) and one
browser serve the whole test session; each test gets fresh browser contexts (cookies) from
`open_page`. Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (as in CI),
which makes a missing browser a failure.
"""

import contextlib
import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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


@dataclass
class LiveServer:
    url: str
    outbox: Path
    log: Path

    def mails_to(self, address: str) -> list[str]:
        """The plain-text bodies of the mails written to the outbox for an address, oldest first."""
        bodies = []
        for path in sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address.lower() in str(message["To"]).lower():
                part = message.get_body(("plain",))
                bodies.append(part.get_content() if part else "")
        return bodies

    def link_in_last_mail(self, address: str, path_part: str) -> str:
        """The path of the last link containing `path_part` in the last mail to `address`."""
        for body in reversed(self.mails_to(address)):
            links = re.findall(r"https?://[^\s>]+", body)
            for link in reversed(links):
                if path_part in link:
                    return urlsplit(link).path
        raise AssertionError(f"no mail to {address} with a link containing {path_part!r}")


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
        yield LiveServer(base_url, folder / "mail-outbox", log)
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
    """A person in a browser: every page they reach is checked with axe-core before they act on it.

    Fields and buttons are found by id and CSS (not by their text), so a journey runs in every
    language. With keyboard=True the person never clicks: they Tab to each control and type,
    press Space or Enter, as someone who cannot use a mouse does.
    """

    def __init__(self, page, server: LiveServer, language: str, keyboard: bool = False):
        self.page = page
        self.server = server
        self.language = language
        self.keyboard = keyboard
        self.checked: list[str] = []

    def url(self, path: str) -> str:
        return self.server.url + path

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

    # Acting on the page, by mouse or by keyboard alone.

    def _focus(self, locator) -> None:
        """Bring the focus to a control: by Tab presses (keyboard) or by nothing (the mouse acts directly)."""
        if not self.keyboard:
            return
        locator.wait_for()
        for _ in range(400):
            if locator.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{locator} cannot be reached with the Tab key")

    def fill(self, selector: str, value: str) -> None:
        locator = self.page.locator(selector).first
        if self.keyboard:
            self._focus(locator)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Delete")
            self.page.keyboard.type(value)
        else:
            locator.fill(value)

    def select(self, selector: str, value: str) -> None:
        locator = self.page.locator(selector).first
        self._focus(locator)
        # A focused <select> is set with the keyboard by its options' order; Playwright does the same.
        locator.select_option(value)

    def tick(self, selector: str) -> None:
        """Tick a checkbox or choose a radio button."""
        locator = self.page.locator(selector).first
        if self.keyboard:
            if locator.get_attribute("type") == "radio":
                # Tab reaches only the checked (or first) radio of a group; the arrow keys move the choice.
                name = locator.get_attribute("name")
                group = self.page.locator(f"input[type=radio][name='{name}']")
                self._focus_any(group)
                for _ in range(group.count() + 1):
                    if locator.is_checked():
                        return
                    self.page.keyboard.press("ArrowDown")
                raise AssertionError(f"radio {selector} not reached with the arrow keys")
            self._focus(locator)
            if not locator.is_checked():
                self.page.keyboard.press("Space")
        else:
            locator.check()

    def _focus_any(self, group) -> None:
        for _ in range(400):
            if group.evaluate_all("els => els.includes(document.activeElement)"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{group} cannot be reached with the Tab key")

    def press(self, selector: str) -> None:
        """Activate a button or link (Enter from the keyboard), wait for the next page and check it."""
        self._activate(selector)
        self.check()

    def _activate(self, selector: str) -> None:
        locator = self.page.locator(selector).first
        with self.page.expect_navigation():
            if self.keyboard:
                self._focus(locator)
                self.page.keyboard.press("Enter")
            else:
                locator.click()
        self.page.wait_for_load_state("load")

    def submit(self, action: str | None = None) -> None:
        """Submit the form in <main> whose action contains `action` (else the last POST form there)."""
        forms = "main form[method=post]" if action is None else f"main form[method=post][action*='{action}']"
        self.press(f"{forms} >> nth=-1 >> button[type=submit] >> nth=-1")

    def submit_get(self) -> None:
        """Submit the GET form in <main> (a search)."""
        self.press("main form:not([method=post]) button[type=submit] >> nth=-1")

    def login(self, email_address: str, password: str = PASSWORD) -> None:
        self.goto("/aanmelden")
        self.fill("#email", email_address)
        self.fill("#password", password)
        self._activate("main form[method=post][action*='/aanmelden'] button[type=submit]")
        assert "/aanmelden" not in self.page.url, self.text()[:500]
        if self.page.evaluate("() => document.documentElement.lang") != self.language:
            # The account's own language wins over the browser's: switch it, as the person would.
            self._activate("form.lang-switch button[type=submit]")
        self.check()

    def logout(self) -> None:
        self.press("form[action$='/afmelden'] button[type=submit]")

    def text(self) -> str:
        return re.sub(r"\s+", " ", self.page.inner_text("main"))

    def errors(self) -> str:
        summary = self.page.locator(".error-summary")
        return summary.inner_text() if summary.count() else ""


@pytest.fixture()
def open_page(browser, live_server, request):
    """Open a fresh browser context (no cookies) in a language and window size; returns a Visitor.

    When the test ends, the last page of each visitor is kept as a screenshot in test-artifacts/.
    """
    contexts = []

    def _open(
        language: str = "nl", width: int = 1280, height: int = 900, zoom: float = 1.0, keyboard: bool = False
    ) -> Visitor:
        context = browser.new_context(
            locale={"nl": "nl-BE", "en": "en-GB"}[language],
            extra_http_headers={"Accept-Language": {"nl": "nl-BE,nl", "en": "en-GB,en"}[language]},
            # 200% zoom in a 360 px window is what a 180 CSS px viewport at device scale 2 shows.
            viewport={"width": int(width / zoom), "height": int(height / zoom)},
            device_scale_factor=zoom,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Visitor(context.new_page(), live_server, language, keyboard)

    yield _open
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for number, context in enumerate(contexts):
        for page in context.pages[-1:]:
            # A failed screenshot must not hide the test's own outcome.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
        context.close()
