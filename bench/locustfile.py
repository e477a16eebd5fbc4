"""Load test: coaches browsing and saving profiles, employers browsing and answering, against one server.

Each simulated user logs in once through the real login form (the CSRF token read from the form) and then
repeats its role's tasks with a short think time. Used by ``bench/load_test.py``, which starts gunicorn on the
region data set and runs locust headless, bounded in time, against 127.0.0.1 only:

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8123

The figures are the steady state: once every user has logged in and read its first lists (the Argon2id hashes of
50 logins arriving within seconds, on the same 2 cores), the statistics are reset (``_Member._ready``), so the
measured window holds the users' tasks only. ``bench/load_test.py --with-ramp-up`` keeps the logins in.

Accounts come from the region set (``bench/region_data.py``): ``coach.TT.C@region.stagebrug.be`` and
``werkgever.NNN@region.stagebrug.be``, password ``stagebrug-demo``.
"""
from __future__ import annotations

import html as html_lib
import itertools
import os
import random
import re

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("STAGEBRUG_PASSWORD", "stagebrug-demo")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PARTICIPANT_LINK = re.compile(r'href="/coach/deelnemers/(\d+)"')
PLACE_LINK = re.compile(r'href="/coach/stageplaatsen/(\d+)"')
PROPOSAL_LINK = re.compile(r'href="/werkgever/voorstellen/(\d+)"')
_coaches = itertools.cycle([f"coach.{t:02d}.{c}@region.stagebrug.be" for c in range(3) for t in range(18)])
_employers = itertools.cycle([f"werkgever.{n:03d}@region.stagebrug.be" for n in range(147)])


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


_started = {"users": 0, "failed_logins": 0}
KEEP_RAMP_UP = os.environ.get("STAGEBRUG_LOAD_RAMP_UP") == "1"


@events.test_start.add_listener
def _reset_count(environment, **_kwargs):
    _started["users"] = 0
    _started["failed_logins"] = 0


class _Member(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    email = ""

    def _ready(self) -> None:
        """Count this user as started; when the last one is, restart the statistics (the steady state begins)."""
        _started["users"] += 1
        runner = self.environment.runner
        if not KEEP_RAMP_UP and runner is not None and _started["users"] == runner.target_user_count:
            if _started["failed_logins"]:  # the failures stay in the figures
                print(f"{_started['failed_logins']} logins failed: statistics kept from the start", flush=True)
                return
            self.environment.stats.reset_all()
            print(f"all {_started['users']} users logged in: statistics restarted", flush=True)

    def on_start(self):
        page = self.client.get("/auth/login", name="login form").text
        with self.client.post("/auth/login", data={"email": self.email, "password": PASSWORD, "csrf_token": _csrf(page)},
                              name="login", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                _started["failed_logins"] += 1
                response.failure(f"login as {self.email}: {response.status_code}")


class Coach(_Member):
    weight = 3

    def on_start(self):
        self.email = next(_coaches)
        super().on_start()
        self.participants = [int(x) for x in PARTICIPANT_LINK.findall(self.client.get("/coach/deelnemers", name="caseload").text)]
        self.places = [int(x) for x in PLACE_LINK.findall(self.client.get("/coach/stageplaatsen", name="places").text)]
        self._ready()

    @task(4)
    def caseload(self):
        self.client.get(f"/coach/deelnemers?pagina={random.randint(1, 6)}&sorteer={random.choice(['naam', '-dagen', 'deadline'])}",
                        name="caseload (paged)")

    @task(3)
    def participant(self):
        if self.participants:
            pid = random.choice(self.participants)
            self.client.get(f"/coach/deelnemers/{pid}", name="participant")
            self.client.get(f"/coach/deelnemers/{pid}/plaatsen", name="ranked places")

    @task(2)
    def places(self):
        self.client.get(f"/coach/stageplaatsen?pagina={random.randint(1, 20)}", name="places (paged)")
        if self.places:
            self.client.get(f"/coach/stageplaatsen/{random.choice(self.places)}", name="place + ranked participants")

    @task(1)
    def dashboard(self):
        self.client.get("/coach/", name="coach dashboard")

    @task(1)
    def save_profile(self):
        """Open a participant's profile form and save it unchanged (the save re-ranks that participant)."""
        if not self.participants:
            return
        pid = random.choice(self.participants)
        html = self.client.get(f"/coach/deelnemers/{pid}/profiel", name="profile form").text
        data = _form_values(html)
        self.client.post(f"/coach/deelnemers/{pid}/profiel", data=data, name="profile save", allow_redirects=False)


class Employer(_Member):
    weight = 2

    def on_start(self):
        self.email = next(_employers)
        super().on_start()
        self.proposals = [int(x) for x in PROPOSAL_LINK.findall(self.client.get("/werkgever/voorstellen?aantal=100", name="proposals").text)]
        self._ready()

    @task(3)
    def inbox(self):
        self.client.get(f"/werkgever/voorstellen?pagina={random.randint(1, 3)}", name="proposals (paged)")
        self.client.get("/werkgever/voorstellen?wacht=1", name="proposals waiting")

    @task(2)
    def proposal(self):
        if self.proposals:
            self.client.get(f"/werkgever/voorstellen/{random.choice(self.proposals)}", name="proposal")

    @task(2)
    def places(self):
        self.client.get("/werkgever/plaatsen", name="employer places")
        self.client.get("/werkgever/", name="employer dashboard")

    @task(1)
    def answer(self):
        """Say "interested" to a proposal that waits for it (a refused step counts as an answer too: 302 or 409)."""
        if not self.proposals:
            return
        proposal_id = random.choice(self.proposals)
        html = self.client.get(f"/werkgever/voorstellen/{proposal_id}", name="proposal").text
        action = re.search(r'action="(/werkgever/voorstellen/\d+/antwoord/[a-z_]+)"', html)
        if not action:
            return
        with self.client.post(action.group(1), data={"csrf_token": _csrf(html)}, name="proposal answer", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code in (302, 303, 400, 409, 422):
                response.success()


def _form_values(page: str) -> dict:
    """The current values of a form's text inputs, checkboxes and selects (enough to save it unchanged)."""
    data: dict[str, object] = {}
    for tag in re.finditer(r"<input[^>]*>", page):
        text = tag.group(0)
        name = re.search(r'\bname="([^"]+)"', text)
        if not name:
            continue
        kind = re.search(r'\btype="([^"]+)"', text)
        value = re.search(r'\bvalue="([^"]*)"', text)
        if kind and kind.group(1) in ("checkbox", "radio"):
            if "checked" in text:
                data.setdefault(name.group(1), [])
                data[name.group(1)].append(value.group(1) if value else "y")
            continue
        if kind and kind.group(1) in ("submit", "button"):
            continue
        data[name.group(1)] = html_lib.unescape(value.group(1)) if value else ""
    for select in re.finditer(r'<select[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option[^>]*value="([^"]*)"[^>]*\bselected', select.group(2))
        if chosen:
            data[select.group(1)] = [html_lib.unescape(c) for c in chosen] if len(chosen) > 1 else html_lib.unescape(chosen[0])
    for area in re.finditer(r'<textarea[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[area.group(1)] = html_lib.unescape(area.group(2))
    return data
