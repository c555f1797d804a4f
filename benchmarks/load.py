"""The whole site under load: gunicorn with 4 workers, 16 clients, then a check that no write was lost.

    .venv/bin/python benchmarks/load.py [--duration 60] [--clients 16] [--workers 4] [--think 0]
        [--database-url postgresql+psycopg://user@host:port/db] [--smtp-delay 0.1] [--kill-indexer 5] [--keep]

Sets up a fresh instance in a temporary folder as production would run it: a new database (an
SQLite file, or the given PostgreSQL database with its schema dropped and recreated), then
`flask init-db`, `flask demo load`, `flask search-index sync` and `flask users create` for the
extra writers. Web workers only write the search outbox (SEARCH_INDEX_INLINE=false), so one
`flask search-index worker` process applies it; mail is queued (MAIL_SEND_INLINE=false) and a
`flask mail send-pending` "cron" run every --mail-interval seconds delivers it over SMTP to a sink on
127.0.0.1 (aiosmtpd, in this process, taking --smtp-delay seconds a message as a real server
would): no mail leaves the machine. `gunicorn -w WORKERS` serves
the site on a free port of 127.0.0.1. With --kill-indexer N the indexer is killed with SIGKILL N
times during the load, evenly spread, and restarted each time: the checks after the load then show
that the index still equals the database.

Before the clock starts, each extra writer logs in and asks to take over an imported demo
organisation through the claim form, and the demo administrator approves the claims on the
admin page, so every writer acts for its own organisation (the demo data has one supplier and
two buyers with accounts).

Then CLIENTS threads (one `requests.Session` each) run for --duration seconds, with a random
pause of 0 to 2 × --think seconds between two requests (0: as fast as the server answers):

- half are anonymous readers: supplier search (/zoeken) with Dutch keywords, typos and filters;
  home, supplier directory, a supplier profile, open reserved contracts, a contract, the
  published indicator;
- the other half are writers, logged in through the real login form (CSRF token and all):
  buyers post needs through the need forms (outsourcing, enclave requests, reserved contracts
  for public buyers) and publish them, and answer in their lead threads; suppliers open their
  opportunities (/mijn-kansen), a need's page and its interest form, express interest, and
  write in their threads.

Every request is recorded as (kind, status, latency). Printed: total requests and requests per
second, and per kind p50/p95/p99 in ms, count and errors (any 5xx, connection error or status
other than the expected one), then the same over all pages (GET), all searches and all posts;
the CPU time of the gunicorn workers, the indexer and the clients, the mail send-pending runs and the
five slowest requests.

Then the check that nothing was lost, after the indexer has drained and the last mail send-pending run:
every need, publication, interest (lead) and message that got a success answer is in the
database, exactly once (each carries a unique marker in its title or body); `flask search-index
verify` and `flask indicator verify` exit 0; every queued mail reached the SMTP sink exactly
once. Exits 1 when any request erred or any of these checks fails.

Measured on 2026-11-28, 2 cores shared with other engineers (load average 1.5-4 around the runs;
earlier runs at load 7-10 gave a third of the throughput), --duration 60, p95 in ms:

    clients, think   backend      req/s   pages p95   searches p95   posts p95   errors  lost
    16, 0 s          SQLite        25.9       1231          1167        1887        0      0
    16, 0 s          PostgreSQL    34.7        719           733         724        0      0
    16, 1 s          SQLite        21.2        936           811         891        0      0
    16, 1 s          PostgreSQL    25.8        345           377         262        0      0
     2, 0 s          SQLite        36.1        151           143         162        0      0
     2, 0 s          PostgreSQL    51.4         76            75          61        0      0

search-index verify and indicator verify exited 0 and every mail arrived once in every run. The
targets (p95 under 200 ms for pages, under 100 ms for searches) are met with 2 clients on
PostgreSQL only. A request costs the gunicorn workers 25-45 ms of CPU, so 2 cores serve about
45-50 requests a second; 16 clients without pause saturate them and the latency is queueing
(16 / 35 req/s ≈ 450 ms). On SQLite the workers used only about half the CPU (59 of 122 s,
against 93 s on PostgreSQL): every transaction, reads included, starts with BEGIN IMMEDIATE and
holds the one write lock until the request ends, so the 4 workers serve one request at a time,
and SQLite's busy wait is unfair (single requests waited up to 9 s; at 15 s they fail).

Defects this benchmark found, each mended with a test: an idle `search-index worker` kept its
transaction, and so SQLite's write lock, open between rounds (every request failed with
"database is locked"); login checked the argon2 hash inside the throttle query's transaction
(the site froze for every login on SQLite); `mail send-pending` held the write lock over each SMTP
conversation (--smtp-delay 0.3: requests waited 20 s, three 500s) and two senders at once could
send a mail twice; on PostgreSQL two suppliers answering one need at once both counted it in
the indicator (indicator verify failed); search results linked a regular firm's imported offer
to a profile page that answers 404; SIGTERM killed the indexer instead of stopping it.
"""

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEMO_PASSWORD = "werkbrug-demo"
EXTRA_PASSWORD = "werkbrug-load-2026"
ADMIN = "admin@werkbrug.demo"

# Writers: the demo accounts first, then imported demo organisations taken over by new accounts.
BUYERS = [
    ("kmo@werkbrug.demo", None),
    ("aankoper@werkbrug.demo", None),
    (None, "0799003153"),  # LuxLicht bv, onderneming
    (None, "0799003747"),  # OCMW Tielt-Winge, overheid
    (None, "0799003252"),  # Webshop Vlaanderen bv
    (None, "0799003846"),  # Provinciaal Domein De Heide, overheid
    (None, "0799003351"),  # Bakkerij De Korenaar bv
    (None, "0799003945"),  # Gemeente Lievegem, overheid
]
SUPPLIERS = [
    ("leverancier@werkbrug.demo", None),
    (None, "0799000282"),  # Kempenwerk Geel
    (None, "0799000579"),  # Leiewerk Kortrijk
    (None, "0799000876"),  # Gentse Werkhaven
    (None, "0799001272"),  # Leuvense Maatwerkgroep
    (None, "0799001767"),  # De Kringloopkracht cv
    (None, "0799000381"),  # Atelier Maasland
    (None, "0799001173"),  # Hageland Werkt
]

KEYWORDS = [
    "verpakking",
    "verpakken",
    "herverpakken",
    "groenonderhoud",
    "tuinonderhoud",
    "groenzorg",
    "schoonmaak",
    "poetsen",
    "reiniging",
    "mailing",
    "drukwerk",
    "assemblage",
    "logistiek",
    "houtbewerking",
    "metaalbewerking",
    "wasserij",
    "catering",
    "recyclage",
    "kringloop",
    "textiel",
    "fietsherstel",
    "renovatie",
    "etiketteren",
    "enclave",
    "maatwerkbedrijf",
    "verpakinkg",
    "schoonmak",
    "groen onderhoud",
    "packaging",
    "cleaning",
    "nettoyage",
    "palletten",
    "sorteren",
    "inpakken",
    "montage",
    "kantoorschoonmaak",
    "snoep",
    "",
]
DOMAINS = [
    "assemblage",
    "catering",
    "drukwerk",
    "groenonderhoud",
    "houtbewerking",
    "logistiek",
    "mailing",
    "metaalbewerking",
    "recyclage",
    "renovatie",
    "schoonmaak",
    "textiel",
    "verpakking",
    "wasserij",
]
PROVINCES = ["VAN", "VLI", "VOV", "VBR", "VWV", "BRU"]
POSTCODES = ["2000", "2200", "3500", "3000", "9000", "8500", "8000", "1000", "2800", "3600"]
CERTIFICATIONS = ["ISO 9001", "VCA", "ISO 14001"]

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
NEED_LINK = re.compile(r'href="/vragen/(\d+)"')
LEAD_LINK = re.compile(r'href="/contacten/(\d+)"')
PROFILE_LINK = re.compile(r'href="/leveranciers/(\d+)"')
CLAIM_APPROVE = re.compile(r'action="/beheer/overnames/(\d+)/goedkeuren"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# ---------------------------------------------------------------- the instance


class Instance:
    """A fresh Werkbrug: database, index, gunicorn, the search indexer, the mail sink."""

    def __init__(self, args):
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="werkbrug-load-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = args.database_url or f"sqlite:///{self.folder}/load.db"
        self.smtp = None
        self.received = []  # Message-IDs the SMTP sink got
        self.gunicorn = self.worker = None
        self.killed_indexer_cpu = 0.0
        self.env = dict(
            os.environ,
            MARKETPLACE_ENV="development",  # demo data is refused in production; nothing else differs here
            MARKETPLACE_INSTANCE=str(self.folder),
            DATABASE_URL=self.database_url,
            SEARCH_INDEX_DIR=str(self.folder / "search_index"),
            SECRET_KEY=secrets.token_urlsafe(32),
            SEARCH_INDEX_INLINE="false",
            MAIL_SEND_INLINE="false",
            MAIL_OUTBOX_DIR=str(self.folder / "mail-outbox"),
            PUBLIC_URL=self.base,
        )

    # -- set-up

    def start_mail_sink(self):
        from aiosmtpd.controller import Controller

        received, delay = self.received, self.args.smtp_delay

        class Sink:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                await asyncio.sleep(delay)  # a real mail server takes its time
                match = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.M | re.I)
                received.append(match.group(1).decode() if match else "")
                return "250 OK"

        port = free_port()
        self.smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))

    def reset_postgresql(self):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    def flask(self, *arguments, check=True, quiet=True):
        started = time.monotonic()
        done = subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if check and done.returncode != 0:
            print(f"flask {' '.join(arguments)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
            raise SystemExit(1)
        if not quiet:
            print(f"  flask {' '.join(arguments)}: exit {done.returncode} in {time.monotonic() - started:.1f} s")
        return done

    def prepare(self, extra_accounts):
        if self.database_url.startswith("postgresql"):
            self.reset_postgresql()
        self.flask("init-db")
        self.flask("demo", "load")
        self.flask("search-index", "sync")
        for email, name in extra_accounts:
            self.flask("users", "create", email, "--name", name, "--password", EXTRA_PASSWORD)

    def start_indexer(self):
        self.worker = subprocess.Popen(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "search-index", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.folder / "indexer.log", "a"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )

    def kill_indexer(self):
        """SIGKILL the indexer (no chance to finish what it was doing) and start a new one."""
        self.killed_indexer_cpu += cpu_seconds(self.worker.pid)
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()
        self.start_indexer()

    def start_servers(self):
        logs = self.folder
        self.start_indexer()
        self.gunicorn = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", str(self.args.workers), "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=open(logs / "gunicorn.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                print((logs / "gunicorn.log").read_text())
                raise SystemExit("gunicorn exited at start")
            try:
                if requests.get(self.base + "/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not answer within 90 s")
        self.warm_up()

    def warm_up(self):
        """Every worker has loaded the app and opened the index before the clock starts (not measured)."""

        def visit():
            session = requests.Session()
            for path in ("/", "/zoeken?q=verpakking", "/leveranciers", "/opdrachten", "/indicator"):
                session.get(self.base + path, timeout=120)

        for _round in range(2):
            threads = [threading.Thread(target=visit) for _n in range(2 * self.args.workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    def server_cpu(self) -> dict:
        """CPU seconds so far of the gunicorn workers and of the indexer."""
        workers = child_pids(self.gunicorn.pid) if self.gunicorn else []
        return {
            "gunicorn": sum(cpu_seconds(pid) for pid in workers),
            "indexer": self.killed_indexer_cpu + (cpu_seconds(self.worker.pid) if self.worker else 0.0),
        }

    # -- tear-down

    def stop(self):
        codes = {}
        for name, process in (("gunicorn", self.gunicorn), ("indexer", self.worker)):
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = f"killed ({process.wait()})"
        if self.smtp is not None:
            self.smtp.stop()
        return codes

    def log_problems(self) -> dict:
        found = {}
        for name in ("gunicorn.log", "indexer.log"):
            path = self.folder / name
            text = path.read_text(errors="replace") if path.exists() else ""
            found[name] = text.count("Traceback (most recent call last)")
        return found


# ---------------------------------------------------------------- clients


class Client(threading.Thread):
    """One simulated person; records (kind, status, latency ms, ok, note)."""

    def __init__(self, number, instance, args, stop_at, results, ledger):
        super().__init__(daemon=True)
        self.number = number
        self.base = instance.base
        self.think = args.think
        self.stop_at = stop_at
        self.results = results
        self.ledger = ledger
        self.rng = random.Random(args.seed * 1000 + number)
        self.session = requests.Session()
        self.count = 0
        self.run_id = args.run_id

    def marker(self) -> str:
        self.count += 1
        return f"[{self.run_id} c{self.number}-{self.count}]"

    def record(self, kind, status, ms, ok, note="", at=None):
        self.results.append((kind, status, ms, ok, note, time.monotonic() if at is None else at))

    def request(self, kind, method, path, expected=(200,), **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        at, started = time.monotonic(), time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, **kwargs)
        except requests.RequestException as error:
            self.record(kind, 0, (time.perf_counter() - started) * 1000, False, f"{path}: {error!r}"[:300], at)
            return None
        elapsed = (time.perf_counter() - started) * 1000
        ok = response.status_code in expected
        note = "" if ok else f"{method} {path} -> {response.status_code} {response.headers.get('Location', '')}"
        self.record(kind, response.status_code, elapsed, ok, note, at)
        return response if ok else None

    def pause(self):
        if self.think:
            time.sleep(self.rng.uniform(0, 2 * self.think))

    def running(self):
        return time.monotonic() < self.stop_at

    def run(self):
        try:
            self.setup()
            while self.running():
                self.step()
                self.pause()
        except Exception as error:  # noqa: BLE001 - a client bug is reported, not hidden
            self.record("client-error", 0, 0.0, False, repr(error)[:300])

    def setup(self):
        pass

    def step(self):
        raise NotImplementedError


class Reader(Client):
    def setup(self):
        self.profiles, self.contracts = [], []

    def search_args(self):
        args = {"q": self.rng.choice(KEYWORDS)}
        if self.rng.random() < 0.5:
            for name, values in (
                ("province", PROVINCES),
                ("domain", DOMAINS),
                ("recognised", ["y"]),
                ("enclave", ["y"]),
                ("min_team", ["2", "5", "10"]),
                ("min_capacity", ["5", "20"]),
                ("certification", CERTIFICATIONS),
                ("sort", ["name"]),
            ):
                if self.rng.random() < 0.25:
                    args[name] = self.rng.choice(values)
        return args

    def step(self):
        roll = self.rng.random()
        if roll < 0.45:
            args = self.search_args()
            kind = "search" if len(args) == 1 else "search+filters"
            response = self.request(kind, "GET", "/zoeken", params=args)
            if response is not None:
                self.profiles = list(dict.fromkeys(PROFILE_LINK.findall(response.text))) or self.profiles
        elif roll < 0.55:
            self.request("home", "GET", "/")
        elif roll < 0.65:
            page = self.rng.choice(["", "?page=2"])
            response = self.request("directory", "GET", "/leveranciers" + page)
            if response is not None:
                self.profiles = list(dict.fromkeys(PROFILE_LINK.findall(response.text))) or self.profiles
        elif roll < 0.77:
            if self.profiles:
                self.request("profile", "GET", f"/leveranciers/{self.rng.choice(self.profiles)}")
            else:
                self.request("directory", "GET", "/leveranciers")
        elif roll < 0.85:
            response = self.request("contracts", "GET", "/opdrachten")
            if response is not None:
                self.contracts = NEED_LINK.findall(response.text) or self.contracts
        elif roll < 0.92:
            if self.contracts:
                self.request("contract", "GET", f"/vragen/{self.rng.choice(self.contracts)}")
            else:
                self.request("contracts", "GET", "/opdrachten")
        else:
            self.request("indicator", "GET", "/indicator")


class Writer(Client):
    def __init__(self, *args, email, password, org_kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.email, self.password, self.org_kind = email, password, org_kind
        self.logged_in = False

    def login(self):
        response = self.request("login form", "GET", "/aanmelden")
        if response is None:
            return
        token = CSRF.search(response.text).group(1)
        data = {"csrf_token": token, "email": self.email, "password": self.password, "next": ""}
        response = self.request("login", "POST", "/aanmelden", expected=(302,), data=data)
        self.logged_in = response is not None

    def token_from(self, kind, path):
        response = self.request(kind, "GET", path)
        if response is None:
            return None, None
        match = CSRF.search(response.text)
        return (match.group(1) if match else None), response

    def setup(self):
        self.login()

    def step(self):
        if not self.logged_in:
            time.sleep(1)
            self.login()
            return
        self.act()

    def write_message(self):
        """Open the lead list, one thread, and write in it."""
        response = self.request("leads list", "GET", "/contacten")
        if response is None:
            return False
        leads = LEAD_LINK.findall(response.text)
        if not leads:
            return False
        lead_id = self.rng.choice(leads)
        token, _page = self.token_from("thread", f"/contacten/{lead_id}")
        if token is None:
            return True
        body = f"Bericht {self.marker()}: kunnen we volgende week afspreken?"
        response = self.request(
            "message post",
            "POST",
            f"/contacten/{lead_id}/berichten",
            expected=(302,),
            data={"csrf_token": token, "body": body},
        )
        if response is not None:
            if response.headers.get("Location", "").endswith("#berichten"):
                self.ledger["messages"].append((int(lead_id), body))
            else:
                self.record("message refused", 302, 0.0, False, f"lead {lead_id}: not sent")
        return True


class Buyer(Writer):
    def act(self):
        roll = self.rng.random()
        if roll < 0.4:
            self.post_need()
        elif roll < 0.75:
            if not self.write_message():
                self.post_need()
        elif roll < 0.85:
            self.request("my needs", "GET", "/mijn-vragen")
        elif roll < 0.92:
            self.request("dashboard", "GET", "/mijn-werkbrug")
        else:
            own = [need_id for need_id, _title in self.ledger["published"] if need_id in self.own_needs]
            if own:
                self.request("need detail", "GET", f"/vragen/{self.rng.choice(own)}")
            else:
                self.request("my needs", "GET", "/mijn-vragen")

    def setup(self):
        super().setup()
        self.own_needs = set()

    def need_form(self, marker):
        today = date.today()
        domains = self.rng.sample(DOMAINS, self.rng.choice([1, 1, 2]))
        words = " en ".join(domains)
        kinds = (
            ["voorbehouden-opdracht", "uitbesteding"] if self.org_kind == "overheid" else ["uitbesteding", "enclave"]
        )
        slug = self.rng.choice(kinds)
        data = {
            "title": f"Lasttest {words} {marker}",
            "description": f"Wij zoeken een partner uit de sociale economie voor {words}. {marker}",
            "domains": domains,
            "postcode": self.rng.choice(POSTCODES),
            "starts_on": (today + timedelta(days=30)).isoformat(),
        }
        if slug == "uitbesteding":
            data.update(volume_fte=str(self.rng.choice([1, 2, 5])), budget_max_eur="25000")
        elif slug == "enclave":
            data.update(
                team_size=str(self.rng.choice([2, 4, 6])),
                site_address="Industrieweg 1, 2000 Antwerpen",
                host_core_activity="Productie van snoepgoed",
                tasks="Inpakken en etiketteren van dozen",
                risks_and_safety="Veiligheidsschoenen; opleiding op de eerste dag",
                working_hours="ma-vr 8-16 u",
            )
        else:
            data.update(
                procurement_reference=f"LT/{self.number}/{self.count}",
                cpv_codes="77310000-6",
                estimated_value_eur="120000",
                deadline_date=(today + timedelta(days=60)).isoformat(),
                deadline_time="12:00",
                reservation="res-ws",
                lot1_title="Perceel 1",
                lot1_reserved="y",
            )
        return slug, data

    def post_need(self):
        marker = self.marker()
        slug, data = self.need_form(marker)
        token, _page = self.token_from("need form", f"/vragen/nieuw/{slug}")
        if token is None:
            return
        response = self.request(
            "need create", "POST", f"/vragen/nieuw/{slug}", expected=(302,), data={"csrf_token": token, **data}
        )
        if response is None:
            return
        match = re.match(r"^/vragen/(\d+)$", response.headers.get("Location", ""))
        if not match:
            self.record("need create", 302, 0.0, False, f"odd redirect {response.headers.get('Location')}")
            return
        need_id = int(match.group(1))
        self.own_needs.add(need_id)
        self.ledger["needs"].append((need_id, data["title"]))
        token, _page = self.token_from("need detail", f"/vragen/{need_id}")
        if token is None:
            return
        response = self.request(
            "need publish", "POST", f"/vragen/{need_id}/publiceren", expected=(302,), data={"csrf_token": token}
        )
        if response is None:
            return
        # The redirect comes back to the need's page either way; the flash says whether it was published.
        page = self.request("need detail", "GET", f"/vragen/{need_id}")
        if page is not None:
            if "Uw vraag is gepubliceerd." in page.text:
                self.ledger["published"].append((need_id, data["title"]))
            else:
                self.record("need publish", 302, 0.0, False, f"need {need_id}: not published")


class Supplier(Writer):
    def setup(self):
        super().setup()
        self.tried = set()

    def act(self):
        roll = self.rng.random()
        if roll < 0.45:
            if not self.express_interest():
                self.write_message()
        elif roll < 0.8:
            if not self.write_message():
                self.express_interest()
        elif roll < 0.9:
            self.request("my offers", "GET", "/mijn-aanbod")
        else:
            self.request("dashboard", "GET", "/mijn-werkbrug")

    def express_interest(self):
        source = self.rng.random()
        if source < 0.7:
            response = self.request("opportunities", "GET", "/mijn-kansen")
        else:
            response = self.request("contracts", "GET", "/opdrachten")
        if response is None:
            return False
        candidates = [n for n in dict.fromkeys(NEED_LINK.findall(response.text)) if n not in self.tried]
        if not candidates:
            return False
        need_id = candidates[0] if self.rng.random() < 0.7 else self.rng.choice(candidates)
        self.tried.add(need_id)
        if self.request("need detail", "GET", f"/vragen/{need_id}") is None:
            return True
        token, page = self.token_from("interest form", f"/vragen/{need_id}/interesse")
        if token is None or 'name="availability"' not in page.text:
            return True  # not eligible, or closed: the page says why; nothing to write
        message = f"Wij doen dit graag {self.marker()}"
        response = self.request(
            "interest post",
            "POST",
            f"/vragen/{need_id}/interesse",
            expected=(302,),
            data={
                "csrf_token": token,
                "offer_id": "",
                "availability": "binnen twee weken, 4 mensen",
                "message": message,
            },
        )
        if response is not None:
            match = re.match(r"^/contacten/(\d+)$", response.headers.get("Location", ""))
            if match:
                self.ledger["leads"].append((int(match.group(1)), int(need_id), message))
            else:
                self.record("interest post", 302, 0.0, False, f"odd redirect {response.headers.get('Location')}")
        return True


# ---------------------------------------------------------------- set-up through the site


def login_session(base, email, password):
    session = requests.Session()
    page = session.get(base + "/aanmelden", timeout=30)
    token = CSRF.search(page.text).group(1)
    response = session.post(
        base + "/aanmelden",
        data={"csrf_token": token, "email": email, "password": password, "next": ""},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise SystemExit(f"set-up: login of {email} answered {response.status_code}")
    return session


def org_ids(database_url, kbos):
    from sqlalchemy import bindparam, create_engine, text

    if not kbos:
        return {}
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kbo, id, kind FROM organisation WHERE kbo IN :kbos").bindparams(
                bindparam("kbos", expanding=True)
            ),
            {"kbos": list(kbos)},
        ).all()
    engine.dispose()
    return {kbo: (org_id, kind) for kbo, org_id, kind in rows}


def writer_accounts(buyers, suppliers):
    """[(role, email or None, kbo or None)] for the writers; the extra ones get a new account each."""
    plan = [("buyer", *BUYERS[i % len(BUYERS)]) for i in range(buyers)]
    plan += [("supplier", *SUPPLIERS[i % len(SUPPLIERS)]) for i in range(suppliers)]
    accounts = []
    for n, (role, email, kbo) in enumerate(plan):
        if email is None:
            email = f"schrijver{n}@werkbrug.demo"
        accounts.append((role, email, kbo))
    return accounts


def claim_organisations(instance, accounts):
    """Each new account asks to take over its imported organisation; the administrator approves."""
    kinds = {}
    ids = org_ids(instance.database_url, [kbo for _r, _e, kbo in accounts if kbo])
    for _role, email, kbo in accounts:
        if not kbo:
            continue
        org_id, kind = ids[kbo]
        kinds[email] = kind
        session = login_session(instance.base, email, EXTRA_PASSWORD)
        page = session.get(f"{instance.base}/organisaties/{org_id}/overnemen", timeout=30)
        response = session.post(
            f"{instance.base}/organisaties/{org_id}/overnemen",
            data={"csrf_token": CSRF.search(page.text).group(1), "evidence": "Ik ben de zaakvoerder (lasttest)."},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise SystemExit(f"set-up: claim of organisation {kbo} answered {response.status_code}")
    admin = login_session(instance.base, ADMIN, DEMO_PASSWORD)
    for _round in range(20):
        page = admin.get(instance.base + "/beheer/overnames", timeout=30)
        claims = CLAIM_APPROVE.findall(page.text)
        if not claims:
            break
        token = CSRF.search(page.text).group(1)
        for claim_id in claims:
            response = admin.post(
                f"{instance.base}/beheer/overnames/{claim_id}/goedkeuren",
                data={"csrf_token": token},
                allow_redirects=False,
                timeout=30,
            )
            if response.status_code != 302:
                raise SystemExit(f"set-up: approving claim {claim_id} answered {response.status_code}")
    return kinds


# ---------------------------------------------------------------- checks


def wait_for_indexer(instance, timeout=90):
    """Run `search-index verify` until nothing waits in the change log (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        done = instance.flask("search-index", "verify", check=False)
        pending = "wachten nog in de wachtrij" in done.stdout
        if (done.returncode == 0 and not pending) or time.monotonic() > deadline:
            return done
        time.sleep(2)


def check_writes(database_url, ledger, run_id):
    """{what: (recorded, lost, doubled)} by querying the database for each write that got a success answer."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    report = {}
    with engine.connect() as connection:
        needs = {
            need_id: (title, state)
            for need_id, title, state in connection.execute(
                text("SELECT id, title, state FROM need WHERE title LIKE :marker"), {"marker": f"%[{run_id} %"}
            )
        }
        titles = Counter(title for title, _state in needs.values())
        lost = sum(1 for need_id, title in ledger["needs"] if needs.get(need_id, ("",))[0] != title)
        report["needs posted"] = (len(ledger["needs"]), lost, sum(n - 1 for n in titles.values() if n > 1))
        lost = sum(
            1
            for need_id, title in ledger["published"]
            if needs.get(need_id, ("", ""))[1] not in ("open", "in_discussion")
        )
        report["needs published"] = (len(ledger["published"]), lost, 0)

        leads = {
            lead_id: (need_id, state)
            for lead_id, need_id, state in connection.execute(text("SELECT id, need_id, state FROM lead"))
        }
        bodies = defaultdict(Counter)
        for lead_id, body in connection.execute(
            text("SELECT lead_id, body FROM lead_message WHERE body LIKE :marker"), {"marker": f"%[{run_id} %"}
        ):
            bodies[lead_id][body] += 1
        lost = sum(
            1
            for lead_id, need_id, message in ledger["leads"]
            if leads.get(lead_id, (None,))[0] != need_id or bodies[lead_id][message] < 1
        )
        doubled = sum(1 for lead_id, _n, message in ledger["leads"] if bodies[lead_id][message] > 1)
        pairs = Counter(
            (need_id, supplier)
            for need_id, supplier in connection.execute(text("SELECT need_id, supplier_org_id FROM lead"))
        )
        doubled += sum(n - 1 for n in pairs.values() if n > 1)
        report["interests (leads)"] = (len(ledger["leads"]), lost, doubled)
        lost = sum(1 for lead_id, body in ledger["messages"] if bodies[lead_id][body] < 1)
        doubled = sum(1 for lead_id, body in ledger["messages"] if bodies[lead_id][body] > 1)
        report["messages"] = (len(ledger["messages"]), lost, doubled)
        mail = connection.execute(
            text("SELECT count(*), count(sent_at), coalesce(max(attempts), 0) FROM outgoing_mail")
        ).one()
    engine.dispose()
    return report, mail


# ---------------------------------------------------------------- main


def run_cron(instance, interval, stop, runs):
    """`flask mail send-pending` every INTERVAL seconds, as cron would; notes (start, end, output) of each run."""
    while not stop.wait(interval):
        started = time.monotonic()
        done = instance.flask("mail", "send-pending", check=False)
        runs.append((started, time.monotonic(), done.stdout.strip()))


def run_kills(instance, kills, duration, started, done):
    """SIGKILL the indexer `kills` times, evenly spread over the load; notes the moments."""
    for n in range(1, kills + 1):
        time.sleep(max(0.0, started + duration * n / (kills + 1) - time.monotonic()))
        instance.kill_indexer()
        done.append(time.monotonic() - started)


def print_table(results, elapsed):
    by_kind = defaultdict(list)
    for row in results:
        by_kind[row[0]].append(row)
    total = len(results)
    print(f"\nrequests: {total} in {elapsed:.1f} s = {total / elapsed:.1f} per second")
    header = f"{'kind':<18} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))

    def line(name, rows):
        latencies = [r[2] for r in rows if r[1]]
        errors = sum(1 for r in rows if not r[3])
        print(
            f"{name:<18} {len(rows):>6} {percentile(latencies, 50):>8.0f} {percentile(latencies, 95):>8.0f} "
            f"{percentile(latencies, 99):>8.0f} {errors:>7}"
        )

    for kind in sorted(by_kind):
        line(kind, by_kind[kind])
    print("-" * len(header))
    post_kinds = {"login", "need create", "need publish", "interest post", "message post"}
    searches = [r for r in results if r[0].startswith("search")]
    posts = [r for r in results if r[0] in post_kinds]
    pages = [r for r in results if not r[0].startswith("search") and r[0] not in post_kinds and r[1]]
    line("all pages (GET)", pages)
    line("all searches", searches)
    line("all posts", posts)
    return sum(1 for r in results if not r[3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients; half read, half write")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between two requests of a client (s)")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (its schema is dropped!); default SQLite")
    parser.add_argument("--mail-interval", type=float, default=30.0, help="seconds between two mail send-pending runs")
    parser.add_argument("--smtp-delay", type=float, default=0.1, help="seconds the SMTP sink takes to accept a message")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--kill-indexer", type=int, default=0, help="SIGKILL the search indexer this many times")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite database)")
    args = parser.parse_args()
    args.run_id = "LT" + secrets.token_hex(3)

    instance = Instance(args)
    readers = args.clients // 2
    writers = args.clients - readers
    buyers = writers // 2
    accounts = writer_accounts(buyers, writers - buyers)
    extra = [(email, f"Schrijver {n}") for n, (_role, email, kbo) in enumerate(accounts) if kbo]
    backend = "PostgreSQL" if instance.database_url.startswith("postgresql") else "SQLite"
    print(
        f"load: {args.clients} clients ({readers} readers, {len(accounts)} writers) for {args.duration:.0f} s, "
        f"gunicorn -w {args.workers}, {backend}, think {args.think} s, run {args.run_id}"
    )
    print(f"folder: {instance.folder}")
    status = 0
    try:
        started = time.monotonic()
        instance.start_mail_sink()
        instance.prepare(extra)
        instance.start_servers()
        kinds = claim_organisations(instance, accounts)
        print(f"set-up (instance, servers, {len(extra)} extra accounts and claims): {time.monotonic() - started:.1f} s")
        print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

        results, ledger = [], {"needs": [], "published": [], "leads": [], "messages": []}
        stop_at = time.monotonic() + args.duration
        clients = [Reader(n, instance, args, stop_at, results, ledger) for n in range(readers)]
        demo_kinds = {"kmo@werkbrug.demo": "onderneming", "aankoper@werkbrug.demo": "overheid"}
        for n, (role, email, _kbo) in enumerate(accounts, start=readers):
            password = EXTRA_PASSWORD if email in kinds else DEMO_PASSWORD
            cls = Buyer if role == "buyer" else Supplier
            org_kind = kinds.get(email) or demo_kinds.get(email, "")
            clients.append(
                cls(n, instance, args, stop_at, results, ledger, email=email, password=password, org_kind=org_kind)
            )
        stop_cron = threading.Event()
        cron_runs = []
        cron = threading.Thread(target=run_cron, args=(instance, args.mail_interval, stop_cron, cron_runs), daemon=True)
        cpu_before, own_before = instance.server_cpu(), time.process_time()
        load_started = time.monotonic()
        cron.start()
        kills = []
        killer = threading.Thread(
            target=run_kills, args=(instance, args.kill_indexer, args.duration, load_started, kills), daemon=True
        )
        killer.start()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - load_started
        killer.join()
        cpu_after, own_after = instance.server_cpu(), time.process_time()
        stop_cron.set()
        cron.join()
        load_after = os.getloadavg()

        errors = print_table(results, elapsed)
        print(f"load average at the end: {', '.join(f'{x:.2f}' for x in load_after)}")
        server = cpu_after["gunicorn"] - cpu_before["gunicorn"]
        print(
            f"CPU during the load: gunicorn workers {server:.1f} s ({1000 * server / max(len(results), 1):.0f} ms "
            f"per request), indexer {cpu_after['indexer'] - cpu_before['indexer']:.1f} s, the clients (this "
            f"process) {own_after - own_before:.1f} s; {os.cpu_count()} cores × {elapsed:.0f} s = "
            f"{os.cpu_count() * elapsed:.0f} s"
        )
        if kills:
            print("indexer killed (SIGKILL) and restarted at " + ", ".join(f"+{at:.1f} s" for at in kills))
        for started, ended, output in cron_runs:
            print(f"mail send-pending at +{started - load_started:.1f} s to +{ended - load_started:.1f} s: {output}")
        slowest = sorted(results, key=lambda r: -r[2])[:5]
        print("slowest: " + ", ".join(f"{r[0]} {r[2]:.0f} ms at +{r[5] - load_started:.1f} s" for r in slowest))
        notes = Counter(r[4].rstrip() for r in results if not r[3])
        for note, count in notes.most_common(10):
            print(f"  error ×{count}: {note}")
        if errors:
            status = 1

        print("\nchecks after the load")
        drained = time.monotonic()
        verify = wait_for_indexer(instance)
        print(
            f"  search-index verify: exit {verify.returncode} ({time.monotonic() - drained:.1f} s to drain) "
            f"{verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else ''}"
        )
        if verify.returncode != 0:
            print("   " + verify.stdout.strip().replace("\n", "\n   "))
            status = 1
        indicator = instance.flask("indicator", "verify", check=False)
        print(
            f"  indicator verify: exit {indicator.returncode} "
            f"{indicator.stdout.strip().splitlines()[-1] if indicator.stdout.strip() else ''}"
        )
        if indicator.returncode != 0:
            print("   " + (indicator.stdout + indicator.stderr).strip().replace("\n", "\n   "))
            status = 1
        instance.flask("mail", "send-pending", check=False)
        time.sleep(0.5)  # the sink handles the last message after the client's QUIT
        report, (mails, sent, max_attempts) = check_writes(instance.database_url, ledger, args.run_id)
        lost_total = doubled_total = 0
        for what, (recorded, lost, doubled) in report.items():
            print(f"  {what:<19} answered ok {recorded:>5}   lost {lost:>3}   doubled {doubled:>3}")
            lost_total += lost
            doubled_total += doubled
        received = Counter(instance.received)
        duplicates = sum(n - 1 for n in received.values() if n > 1)
        print(
            f"  mail: {mails} queued, {sent} sent, {len(received)} received by the SMTP sink, "
            f"{duplicates} received twice, at most {max_attempts} attempts"
        )
        print(f"  lost writes: {lost_total}, doubled writes: {doubled_total}")
        if lost_total or doubled_total or sent != mails or len(received) != mails or duplicates:
            status = 1
        tracebacks = instance.log_problems()
        print(f"  tracebacks in the logs: {tracebacks}")
        if any(tracebacks.values()):
            status = 1
    finally:
        codes = instance.stop()
        print(f"stopped: {codes}")
        if args.keep or status:
            print(f"kept {instance.folder}")
        else:
            shutil.rmtree(instance.folder, ignore_errors=True)
    print("OK" if status == 0 else "FAILED")
    sys.exit(status)


if __name__ == "__main__":
    main()
