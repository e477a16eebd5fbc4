"""Issue 14, point 9: hostile input on every route of ``app.url_map`` never gives a server error (500).

The routes come from the app itself (``test_security_matrix.ROUTES``), so a route another area adds later is fuzzed
too. Each route is called by a user who may use it and owns its objects (visitors for public routes), with:
path integers (huge, negative, zero), query parameters and form fields — the names are taken from the forms the app's
own pages render and from ``request.args`` look-ups in the source — filled with hostile values: integers far beyond
64 bits, dates out of range, decimals like ``1e26``/``Infinity``/``sNaN``, NUL bytes, huge strings, markup.

Two passes: every route once per hostile kind (deterministic), then hypothesis combining a valid form with a few
hostile fields (derandomised, so a CI run is repeatable; ``STAGEBRUG_FUZZ_EXAMPLES`` runs more locally).
Both are bounded: about a minute per database on the CI machine.
"""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.test_security_matrix import (  # noqa: F401  (world is a fixture)
    ARG,
    FORM,
    PUBLIC_ENDPOINTS,
    ROUTES,
    allowed_roles,
    logged_in,
    world,
)
from web.models import User

WEB = Path(__file__).resolve().parents[2] / "web"
HUGE = str(2**64 + 1)
HOSTILE_KINDS = {
    "huge integer": HUGE,
    "integer above 2^63": str(2**63),
    "negative": "-99999999999999999999",
    "far future date": "9999-12-31",
    "year one": "0001-01-01T00:00",
    "1e26": "1e26",
    "sNaN": "sNaN",
    "Infinity": "Infinity",
    "NUL byte": "a\x00b",
    "huge string": "x" * 5_000,
}
HOSTILE_VALUES = [*HOSTILE_KINDS.values(), "", "0", "NaN", "-Infinity", "1,5e400", "0000-00-00", "2024-02-30", "31/12/9999",
                  "<script>alert(1)</script>", "' OR '1'='1", "../../etc/passwd", "%00", "\x00", "😀", "null", "[]", " "]
# A logout or a password change would end the fuzzing user's session; the matrix covers those routes.
SKIPPED_ENDPOINTS = {"static"}


def _query_keys_in_source() -> set[str]:
    keys = set()
    for path in WEB.rglob("*.py"):
        keys.update(re.findall(r"request\.args\.get\(\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    return keys


class _FormScraper(HTMLParser):
    """Collect the fields (with their shown values) of every form on a page, by method."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, dict[str, str]] = {"get": {}, "post": {}}
        self._method = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._method = (a.get("method") or "get").lower()
        elif self._method and tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self.fields[self._method].setdefault(a["name"], a.get("value") or "y")
            else:
                self.fields[self._method][a["name"]] = a.get("value") or ""
        elif self._method and tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields[self._method].setdefault(self._select, "")
        elif self._select and tag == "option" and not self.fields[self._method][self._select]:
            self.fields[self._method][self._select] = a.get("value") or ""
        elif self._method and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields[self._method][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._method][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._method = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _actor(endpoint: str) -> str | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    role = allowed_roles(endpoint)[0]
    return "admin" if role == "admin" else f"{role}_a"


class Fuzzer:
    """Calls routes as their owners and remembers what the app's own forms look like."""

    def __init__(self, app, session, objects):
        self.app, self.session, self.world = app, session, objects
        self.routes = [r for r in ROUTES if r[2] not in SKIPPED_ENDPOINTS]
        self.forms: dict[str, dict[str, dict[str, str]]] = {}
        self.query_keys = _query_keys_in_source() | {"pagina", "lang", "q"}
        self.field_names: set[str] = set(FORM)
        for method, rule, endpoint in self.routes:
            if method == "GET":
                response = self.call("GET", rule, endpoint, valid_path=True)
                if response.status_code == 200 and response.mimetype == "text/html":
                    scraper = _FormScraper()
                    scraper.feed(response.get_data(as_text=True))
                    self.forms[rule] = scraper.fields
                    self.query_keys |= set(scraper.fields["get"])
                    self.field_names |= set(scraper.fields["post"]) - {"csrf_token"}
                response.close()

    def client(self, endpoint: str):
        actor = _actor(endpoint)
        if actor is None:
            return self.app.test_client()
        self.session.expire_all()
        user = self.session.get(User, self.world["users"][actor].id)
        return logged_in(self.app, user)

    def url(self, rule: str, path_values: dict | None = None, valid_path: bool = False) -> str:
        ids = self.world["ids"]
        values = {} if valid_path else (path_values or {})
        return ARG.sub(lambda m: str(values.get(m.group(1), ids.get(m.group(1), "1"))), rule)

    def baseline_form(self, rule: str) -> dict[str, str]:
        form = dict(FORM)
        form.update({k: v for k, v in self.forms.get(rule, {}).get("post", {}).items() if k != "csrf_token"})
        return form

    def call(self, method, rule, endpoint, *, path_values=None, query=None, form=None, valid_path=False):
        client = self.client(endpoint)
        url = self.url(rule, path_values, valid_path)
        if method == "GET":
            return client.get(url, query_string=query or {})
        return client.post(url, query_string=query or {}, data=form if form is not None else self.baseline_form(rule))

    def check(self, response, what):
        assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:300])
        response.close()


@pytest.fixture
def fuzzer(app, session, world):  # noqa: F811  (the matrix's fixture)
    return Fuzzer(app, session, world)


def _int_args(rule: str) -> list[str]:
    return re.findall(r"<int:([^>]+)>", rule)


def _string_args(rule: str) -> list[str]:
    return [name for name in ARG.findall(rule) if name not in _int_args(rule) and name != "filename"]


def test_every_route_survives_each_kind_of_hostile_input(fuzzer):
    """Deterministic pass: every route, every hostile kind in every path, query and form field at once."""
    routes = sorted(fuzzer.routes, key=lambda r: r[0] == "POST")  # GET first: POSTs may erase the owner's data
    failures = []
    for method, rule, endpoint in routes:
        page_query = fuzzer.forms.get(rule, {}).get("get", {})
        for kind, value in HOSTILE_KINDS.items():
            path_values = {name: value for name in _string_args(rule)}
            if kind in ("huge integer", "integer above 2^63"):
                path_values |= {name: value for name in _int_args(rule)}
            query = {key: value for key in fuzzer.query_keys | set(page_query)}
            form = {**fuzzer.baseline_form(rule), **{name: value for name in fuzzer.field_names}} if method == "POST" else None
            try:
                response = fuzzer.call(method, rule, endpoint, path_values=path_values, query=query, form=form)
            except Exception as exc:  # noqa: BLE001 - collected, so one run lists every failing route
                failures.append((method, rule, kind, f"{type(exc).__name__}: {str(exc)[:120]}"))
                fuzzer.session.rollback()
                continue
            if response.status_code >= 500:
                failures.append((method, rule, kind, response.status_code))
            response.close()
    assert not failures, "\n".join(map(str, failures))


EXAMPLES = int(os.environ.get("STAGEBRUG_FUZZ_EXAMPLES", "150"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_hostile_fields_mixed_into_valid_forms_never_give_a_server_error(fuzzer, data):
    """Hypothesis pass: a route, one to three hostile fields or query parameters among valid values, odd path integers."""
    method, rule, endpoint = data.draw(st.sampled_from(fuzzer.routes), label="route")
    value = st.one_of(st.sampled_from(HOSTILE_VALUES), st.integers(min_value=-(2**70), max_value=2**70).map(str),
                      st.text(max_size=30))
    path_values = {name: data.draw(st.integers(min_value=0, max_value=2**70).map(str), label=name) for name in _int_args(rule)
                   if data.draw(st.booleans(), label=f"odd {name}")}
    path_values |= {name: data.draw(value, label=name) for name in _string_args(rule) if data.draw(st.booleans())}
    keys = sorted(fuzzer.query_keys | set(fuzzer.forms.get(rule, {}).get("get", {})))
    query = data.draw(st.dictionaries(st.sampled_from(keys), value, max_size=3), label="query")
    form = None
    if method == "POST":
        baseline = fuzzer.baseline_form(rule)
        names = sorted(set(baseline) | fuzzer.field_names)
        form = {**baseline, **data.draw(st.dictionaries(st.sampled_from(names), value, min_size=1, max_size=3), label="form")}
    fuzzer.check(fuzzer.call(method, rule, endpoint, path_values=path_values, query=query, form=form), (method, rule))
