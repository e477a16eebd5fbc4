"""The security matrix of the API: every /api/v1 route, discovered from ``app.url_map``, against every kind of caller.

No token, an unknown, expired or revoked token: 401. A read-only token on a write and a token of a user of another
role: 403. Another organisation's or another team's object: 404. Over the rate limit: 429 with Retry-After. Every
refusal is problem+json, shows none of the owner's data and changes nothing in the database.

A new API route is picked up automatically; its area (the first path segment after /api/v1) says who may use it
(``API_ROLES``) and a new kind of object id must be given its owners (``API_OWNERS``) and, for a write, a body that
would pass validation (``BODIES``), or ``test_every_api_route_is_classified`` fails.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from tests.web.api_helpers import auth, expire_token, sealed, token_for
from tests.web.test_api import snapshot
from web import create_app
from web.config import TestConfig
from web.models import Team, WebhookEndpoint

PUBLIC = {"api.openapi", "api.docs", "api.docs_asset"}
ARG = re.compile(r"<(?:[^<>]*:)?([^<>:]+)>")
API_ROLES = {"employer": ("employer",), "coach": ("coach",), "admin": ("admin",), "me": ("employer", "coach", "participant", "admin")}
SHARED = "shared"
API_OWNERS = {
    ("employer", "place_id"): ("employer_a", "employer_b"),
    ("employer", "proposal_id"): ("employer_a", "employer_b"),
    ("employer", "webhook_id"): ("employer_a", "employer_b"),
    ("coach", "participant_id"): ("coach_a", "coach_b"),
    ("coach", "proposal_id"): ("coach_a", "coach_b"),
    ("coach", "place_id"): SHARED,  # every coach may rank their own caseload for any published place
    ("admin", "premium_id"): "admin-wide",  # reference data: no other owner (roles are checked in every test)
    ("admin", "term_id"): "admin-wide",
}
START = (date.today() + timedelta(days=30)).isoformat()
# bodies that pass validation, so a missing ownership check would let the write through
BODIES = {
    "api.employer_place_create": {"title": "Indringer"},
    "api.employer_place_update": {"title": "Indringer"},
    "api.employer_place_action": {"action": "pause"},
    "api.employer_sheet_update": {"mentor_name": "Indringer"},
    "api.employer_proposal_answer": {"answer": "interested", "note": "Indringer"},
    "api.employer_webhook_create": {"url": "https://example.org/hook", "events": ["proposal.created"]},
    "api.employer_webhook_rotate_secret": {},
    "api.coach_participant_update": {"first_name": "Indringer"},
    "api.coach_proposal_create": {"participant_id": "{participant_id}", "place_id": "{place_id}"},
    "api.coach_proposal_transition": {"to_state": "withdrawn", "note": "Indringer"},
    "api.admin_premium_update": {"amount": 1},
    "api.admin_premium_create": {"code": "indringer", "name_nl": "Indringer", "name_en": "Intruder"},
    "api.admin_skill_create": {"id": "indringer", "label_nl": "Indringer", "label_en": "Intruder", "group": "logistiek"},
    "api.admin_skill_update": {"label_nl": "Indringer", "active": False},
    "api.admin_settings_update": {"retention_days": 400, "phase_max_days": {"stage": 120}},
}
SECRETS = ("Zorro", "Geheimnaam", "GEHEIME-BEPERKING", "zorro.geheim@example.be", "Geheimplaats Alfa", "https://a.example/geheim")
ROLES = ("employer", "coach", "participant", "admin")


def _discover() -> list[tuple[str, str, str]]:
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "DATABASE_URL": "sqlite://"})
    routes = [(m, r.rule, r.endpoint) for r in app.url_map.iter_rules() if r.rule.startswith("/api/") and r.endpoint not in PUBLIC
              for m in sorted(r.methods - {"HEAD", "OPTIONS"})]
    app.extensions["db_engine"].dispose()
    return sorted(routes, key=lambda r: (r[1], r[0]))


ROUTES = _discover()
WRITES = [r for r in ROUTES if r[0] != "GET"]
OBJECT_ROUTES = [r for r in ROUTES if any(a.endswith("_id") for a in ARG.findall(r[1])) and not r[1].startswith("/api/v1/admin/")]


def _ids(routes):
    return [f"{m} {r}" for m, r, _e in routes]


def _area(rule: str) -> str:
    return rule.removeprefix("/api/v1/").split("/", 1)[0]


def _args(rule: str) -> list[str]:
    return [a for a in ARG.findall(rule) if a.endswith("_id")]


@pytest.fixture
def world(app, session):
    team_a, team_b = Team(name="Team A"), Team(name="Team B")
    session.add_all([team_a, team_b])
    session.commit()
    users = {
        "employer_a": make_user(session, "employer"), "employer_b": make_user(session, "employer"),
        "coach_a": make_user(session, "coach", team_id=team_a.id), "coach_b": make_user(session, "coach", team_id=team_b.id),
        "participant_a": make_user(session, "participant"), "admin": make_user(session, "admin"),
    }
    employer_a, employer_b = make_employer(session, users["employer_a"]), make_employer(session, users["employer_b"])
    place_a = make_place(session, employer_a, title="Geheimplaats Alfa")
    make_place(session, employer_b, title="Plaats Beta")
    part_a = make_participant(session, users["coach_a"], user=users["participant_a"], first_name="Zorro", last_name="Geheimnaam",
                              limitations="GEHEIME-BEPERKING", email="zorro.geheim@example.be")
    make_participant(session, users["coach_b"], first_name="Berta", last_name="Buur")
    proposal_a = make_proposal(session, part_a, place_a)
    from web.models import Premium

    premium = Premium(code="premie-a", name_nl="Premie A", name_en="Premium A", amount=100)
    session.add(premium)
    from web.models import SkillTerm

    session.add(SkillTerm(id="geheime-term", label_nl="Geheime term", label_en="Secret term", group="logistiek"))
    hook = WebhookEndpoint(employer_id=employer_a.id, url="https://a.example/geheim", secret_encrypted=sealed(app, "whsec_x"), events=["proposal.created"])
    session.add(hook)
    session.commit()
    ids = {"place_id": place_a.id, "proposal_id": proposal_a.id, "participant_id": part_a.id, "webhook_id": hook.id, "premium_id": premium.id,
           "term_id": "geheime-term"}
    tokens = {name: token_for(app, user) for name, user in users.items()}
    return {"users": users, "ids": ids, "tokens": tokens}


def _url(rule: str, ids: dict) -> str:
    return ARG.sub(lambda m: str(ids[m.group(1)]), rule)


def _body(endpoint: str, ids: dict):
    body = BODIES.get(endpoint, {})
    return {k: int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}


def call(client, method: str, rule: str, endpoint: str, ids: dict, headers: dict):
    headers = {**headers, "If-Match": "*"}  # an update would not stop at its ETag check
    url = _url(rule, ids)
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(url, method=method, json=_body(endpoint, ids) if method != "DELETE" else None, headers=headers)


def assert_problem(response, status: int):
    assert response.status_code == status, (status, response.status_code, response.get_data(as_text=True)[:300])
    assert response.content_type == "application/problem+json"
    assert response.get_json()["status"] == status
    body = response.get_data(as_text=True)
    assert not any(secret in body for secret in SECRETS)


def test_every_api_route_is_classified():
    assert ROUTES, "no API routes found"
    unknown_area = [r for r in ROUTES if _area(r[1]) not in API_ROLES]
    assert not unknown_area, f"add these areas to API_ROLES: {unknown_area}"
    unknown_ids = [(r, a) for _m, r, _e in ROUTES for a in _args(r) if (_area(r), a) not in API_OWNERS]
    assert not unknown_ids, f"say who owns these objects in API_OWNERS: {unknown_ids}"
    no_body = [e for m, _r, e in WRITES if m in ("POST", "PATCH", "PUT") and e not in BODIES]
    assert not no_body, f"give these writes a valid body in BODIES: {no_body}"


@pytest.mark.parametrize("method, rule, endpoint", ROUTES, ids=_ids(ROUTES))
def test_no_unknown_expired_or_revoked_token_gets_in(app, client, world, method, rule, endpoint):
    from web.services.api_tokens import revoke_token

    owner = API_ROLES[_area(rule)][0]
    user = world["users"]["admin" if owner == "admin" else f"{owner}_a"]
    before = snapshot(app)
    assert_problem(call(client, method, rule, endpoint, world["ids"], {}), 401)
    assert_problem(call(client, method, rule, endpoint, world["ids"], auth("sbg_no-such-token")), 401)
    assert_problem(call(client, method, rule, endpoint, world["ids"], {"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    expired = token_for(app, user)
    expire_token(app, expired)
    response = call(client, method, rule, endpoint, world["ids"], auth(expired))
    assert_problem(response, 401)
    assert response.get_json()["code"] == "token_expired"
    revoked = token_for(app, user)
    from sqlmodel import Session, select

    from web.models import ApiToken
    from web.services.api_tokens import hash_token

    with Session(app.extensions["db_engine"]) as db:
        row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(revoked))).one()
        revoke_token(session=db, user=db.get(type(user), user.id), token_id=row.id)
        db.commit()
    response = call(client, method, rule, endpoint, world["ids"], auth(revoked))
    assert_problem(response, 401)
    assert response.get_json()["code"] == "token_revoked"
    assert snapshot(app) == {**before, "audit_log": snapshot(app)["audit_log"]}  # only the tokens' own audit rows were added


@pytest.mark.parametrize("method, rule, endpoint", WRITES, ids=_ids(WRITES))
def test_a_read_only_token_cannot_write(app, client, world, method, rule, endpoint):
    owner = API_ROLES[_area(rule)][0]
    user = world["users"]["admin" if owner == "admin" else f"{owner}_a"]
    read_only = token_for(app, user, scope="read")
    before = snapshot(app)
    response = call(client, method, rule, endpoint, world["ids"], auth(read_only))
    assert_problem(response, 403)
    assert response.get_json()["code"] == "token_read_only"
    assert snapshot(app) == before


@pytest.mark.parametrize("method, rule, endpoint", ROUTES, ids=_ids(ROUTES))
def test_a_token_of_another_role_gets_403(app, client, world, method, rule, endpoint):
    before = snapshot(app)
    for role in ROLES:
        if role in API_ROLES[_area(rule)]:
            continue
        name = "admin" if role == "admin" else f"{role}_a"
        assert_problem(call(client, method, rule, endpoint, world["ids"], auth(world["tokens"][name])), 403)
    assert snapshot(app) == before


@pytest.mark.parametrize("method, rule, endpoint", OBJECT_ROUTES, ids=_ids(OBJECT_ROUTES))
def test_another_organisations_or_teams_object_is_404(app, client, world, method, rule, endpoint):
    owners = {API_OWNERS[(_area(rule), a)] for a in _args(rule)}
    if owners == {SHARED}:
        before = snapshot(app)
        response = call(client, method, rule, endpoint, world["ids"], auth(world["tokens"]["coach_b"]))
        assert response.status_code == 200
        assert not any(secret in response.get_data(as_text=True) for secret in SECRETS[:4])  # the other team's participant
        assert snapshot(app) == before
        return
    ((owner, intruder),) = owners
    if method == "GET":
        mine = call(client, method, rule, endpoint, world["ids"], auth(world["tokens"][owner]))
        assert mine.status_code == 200, (owner, mine.get_json())  # the route works for its owner
    before = snapshot(app)
    assert_problem(call(client, method, rule, endpoint, world["ids"], auth(world["tokens"][intruder])), 404)
    assert snapshot(app) == before


def test_a_coach_cannot_propose_another_teams_participant(app, client, world):
    before = snapshot(app)
    response = client.post("/api/v1/coach/proposals", json={"participant_id": world["ids"]["participant_id"], "place_id": world["ids"]["place_id"]},
                           headers=auth(world["tokens"]["coach_b"]))
    assert_problem(response, 404)
    assert snapshot(app) == before


@pytest.mark.parametrize("method, rule, endpoint", ROUTES, ids=_ids(ROUTES))
def test_over_the_rate_limit_is_429_with_retry_after(app, client, world, method, rule, endpoint):
    app.config["API_RATE_LIMIT"] = 1
    owner = API_ROLES[_area(rule)][0]
    raw = token_for(app, world["users"]["admin" if owner == "admin" else f"{owner}_a"], scope="read")
    client.get("/api/v1/me", headers=auth(raw))
    before = snapshot(app)
    response = call(client, method, rule, endpoint, world["ids"], auth(raw))
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert snapshot(app) == before


ADMIN_WRITES = [r for r in WRITES if _area(r[1]) == "admin"]


@pytest.mark.parametrize("method, rule, endpoint", ADMIN_WRITES, ids=_ids(ADMIN_WRITES))
def test_an_admins_read_write_token_may_make_each_admin_write(app, client, world, method, rule, endpoint):
    """The bodies the refusals above are tried with would pass: the 401, 403 and 429 are the guards, not bad input."""
    response = call(client, method, rule, endpoint, world["ids"], auth(world["tokens"]["admin"]))
    assert 200 <= response.status_code < 300, (response.status_code, response.get_json())
    assert response.headers["ETag"]
