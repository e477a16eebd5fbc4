"""The security matrix: every route of the app, discovered from ``app.url_map``, against every kind of visitor.

(a) anonymous visitors are sent to the login page (JSON endpoints answer 401 JSON); users of a wrong role get 403;
(b) every POST route refuses a request without CSRF token (400) and changes nothing;
(c) every route with an object id, called by a user of the right role who does not own the object (another employer,
    a coach of another team, another participant, another user), answers 404 or 403, shows none of the owner's data
    and changes nothing in the database.

A new route is picked up automatically. Its area decides who may use it (``ALLOWED_ROLES``); a route in a new area,
or an object id in a new place (``OBJECT_OWNERS``), makes ``test_every_route_is_classified`` fail until it is added.
"""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from sqlmodel import SQLModel

from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_meeting,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web import create_app
from web.config import TestConfig
from web.models import (
    EmployerMember,
    Evaluation,
    MatchSuggestion,
    Notification,
    Premium,
    ProposalMessage,
    SkillTerm,
    Team,
    utcnow,
)

IGNORED_METHODS = {"HEAD", "OPTIONS"}

# Public routes: reachable without logging in, on purpose.
PUBLIC_ENDPOINTS = {
    "static",  # CSS, JS and images
    "main.index",  # the home page for visitors
    "main.healthz",  # the load balancer's health check (JSON, no data)
    "main.favicon",  # the site icon
    "auth.login",
    "auth.logout",  # POST only; logging out when not logged in just goes back to the login page
    "auth.register",  # employers register themselves
    "auth.set_language",  # the language switch in the page header works for visitors too
    "auth.accept_invite",  # guarded by the one-time token in the link
    "auth.forgot_password",
    "auth.reset_password",  # guarded by the one-time token in the link
    "account.calendar_feed",  # guarded by the secret in the feed's address (tests/web/test_calendar_feeds.py)
    "auth.verify_email",  # guarded by the signature of the link
}
# JSON endpoints: errors and a missing login answer JSON (4xx with an "error" message), never an HTML page or redirect.
JSON_ENDPOINTS = {"main.healthz", "employer.suggest_occupations", "employer.suggest_skills", "coach.suggest_occupations"}
ALL_ROLES = ("employer", "coach", "participant", "admin")


def allowed_roles(endpoint: str) -> tuple[str, ...]:
    """The roles that may use a (non-public) endpoint, from the area it lives in."""
    if endpoint.startswith("participant.coach_"):
        return ("coach", "admin")  # the coach's privacy actions on the participant blueprint (admins: any participant)
    if endpoint == "auth.change_password":
        return ALL_ROLES  # every logged-in user changes their own password
    if endpoint in ("admin.monitoring", "admin.monitoring_csv"):
        return ("admin",)  # and coach team leads, for their own team (tests/web/test_admin_access.py); other coaches: 403
    area = endpoint.split(".", 1)[0]
    return ALLOWED_ROLES.get(area) or ()


ALLOWED_ROLES = {
    "employer": ("employer",),
    "coach": ("coach",),
    "participant": ("participant",),
    "admin": ("admin",),
    "notifications": ALL_ROLES,
    "main": ALL_ROLES,  # main.dashboard sends every role to its own dashboard
    "account": ALL_ROLES,  # every user manages their own API tokens and calendar feed
}

# Who owns the object behind an id in the URL, per area: (owner, intruder) from the ``world`` fixture.
# SHARED: every user of the area's role may open it (the page must still show only their own data).
# ADMIN_WIDE: admin-only accounts and reference data; there is no other owner to try.
SHARED = "shared"
ADMIN_WIDE = "admin-wide"
OBJECT_OWNERS = {
    ("employer", "place_id"): ("employer_a", "employer_b"),
    ("employer", "proposal_id"): ("employer_a", "employer_b"),
    ("employer", "member_id"): ("employer_a", "employer_b"),  # a colleague in A's organisation
    ("coach", "participant_id"): ("coach_a", "coach_b"),
    ("coach", "evaluation_id"): ("coach_a", "coach_b"),
    ("coach", "proposal_id"): ("coach_a", "coach_b"),
    ("coach", "place_id"): SHARED,  # coaches may look at every published place
    ("employer", "meeting_id"): ("employer_a", "employer_b"),
    ("coach", "meeting_id"): ("coach_a", "coach_b"),
    ("participant", "meeting_id"): ("participant_a", "participant_b"),
    ("participant", "proposal_id"): ("participant_a", "participant_b"),
    ("participant", "place_id"): ("participant_a", "participant_b"),
    ("participant", "evaluation_id"): ("participant_a", "participant_b"),  # only one's own signed-off evaluations
    ("participant.coach", "participant_id"): ("coach_a", "coach_b"),
    ("notifications", "notification_id"): ("coach_a", "coach_b"),
    ("admin", "user_id"): ADMIN_WIDE,
    ("admin", "premium_id"): ADMIN_WIDE,
    ("admin", "term_id"): ADMIN_WIDE,
    ("account", "token_id"): ("coach_a", "coach_b"),  # an API token of another user
    ("admin", "employer_id"): ADMIN_WIDE,
}
# Form data for POST routes: enough for every form that the action would go through if the check were missing.
FORM = {
    "action": "publish", "answer": "interested", "to_state": "withdrawn", "reason": "other", "note": "Indringer", "body": "Indringer",
    "phase": "stage", "yes": "1", "consent_level": "skills_name", "confirm": "y", "option1": "2099-01-01T10:00", "email": "indringer@example.be",
    "language": "nl", "full_name": "Indringer", "lang": "en", "held_on": "2024-01-01", "active": "0", "role": "admin", "message": "Indringer",
    "slot1_date": (date.today() + timedelta(days=10)).isoformat(), "slot1_start": "10:00", "slot1_end": "11:00",
    "new_date": (date.today() + timedelta(days=11)).isoformat(), "new_start": "10:00", "new_end": "11:00",
    "location": "Indringerstraat 1", "outcome": "continue", "motivation": "Indringer",
}
PARTICIPANT_SECRETS = ("Zorro", "Geheimnaam", "GEHEIME-BEPERKING", "GEHEIME-ONDERSTEUNING", "zorro.geheim@example.be", "0470 99 88 77")
OTHER_SECRETS = ("Geheimplaats Alfa", "GEHEIME-EVALUATIE", "GEHEIME-MELDING", "GEHEIM-BERICHT", "GEHEIME-LOCATIE")


def _discover_routes() -> list[tuple[str, str, str]]:
    """Every (method, rule, endpoint) of the app (HEAD and OPTIONS left out), except the token-authenticated API
    (``/api/``), whose own matrix is tests/web/test_api_security_matrix.py."""
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**settings, "DATABASE_URL": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            routes.append((method, rule.rule, rule.endpoint))
    app.extensions["db_engine"].dispose()
    return sorted(routes, key=lambda r: (r[1], r[0]))


ROUTES = _discover_routes()
PRIVATE_ROUTES = [r for r in ROUTES if r[2] not in PUBLIC_ENDPOINTS]
POST_ROUTES = [r for r in ROUTES if r[0] == "POST"]
ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _ids(routes):
    return [f"{method} {rule}" for method, rule, _endpoint in routes]


def _owner_area(endpoint: str) -> str:
    return "participant.coach" if endpoint.startswith("participant.coach_") else endpoint.split(".", 1)[0]


def _object_args(rule: str) -> list[str]:
    return [name for name in ARG.findall(rule) if name.endswith("_id")]


def _is_admin_wide(route) -> bool:
    method, rule, endpoint = route
    return any(OBJECT_OWNERS.get((_owner_area(endpoint), arg)) == ADMIN_WIDE for arg in _object_args(rule))


# routes with an object id; admin-wide ones (accounts, premiums, skills) have no other owner and are covered by (a)
OBJECT_ROUTES = [r for r in ROUTES if _object_args(r[1]) and not _is_admin_wide(r)]


# --- the object graph ---------------------------------------------------------------------------------------------


@pytest.fixture
def world(session):
    """Two of everything: A's objects carry distinctive text, B is the intruder of the same role."""
    team_a, team_b = Team(name="Team A"), Team(name="Team B")
    session.add_all([team_a, team_b])
    session.commit()
    users = {
        "employer_a": make_user(session, "employer"),
        "employer_b": make_user(session, "employer"),
        "coach_a": make_user(session, "coach", team_id=team_a.id),
        "coach_b": make_user(session, "coach", team_id=team_b.id),
        "participant_a": make_user(session, "participant"),
        "participant_b": make_user(session, "participant"),
        "admin": make_user(session, "admin"),
    }
    employer_a = make_employer(session, users["employer_a"])
    employer_b = make_employer(session, users["employer_b"])
    colleague_a = EmployerMember(employer_id=employer_a.id, user_id=make_user(session, "employer", full_name="Geheime Collega").id)
    session.add(colleague_a)
    place_a = make_place(session, employer_a, title="Geheimplaats Alfa")
    place_b = make_place(session, employer_b, title="Plaats Beta")
    part_a = make_participant(
        session, users["coach_a"], user=users["participant_a"], first_name="Zorro", last_name="Geheimnaam", limitations="GEHEIME-BEPERKING",
        support_needs="GEHEIME-ONDERSTEUNING", email="zorro.geheim@example.be", phone="0470 99 88 77", erasure_requested_at=utcnow(),
    )
    part_b = make_participant(session, users["coach_b"], user=users["participant_b"], first_name="Berta", last_name="Buur")
    proposal_a = make_proposal(session, part_a, place_a, participant_consented_at=utcnow())
    meeting_a = make_meeting(session, proposal_a, status="confirmed", location="GEHEIME-LOCATIE")
    session.add(ProposalMessage(proposal_id=proposal_a.id, author_id=users["coach_a"].id, author_side="coach", body="GEHEIM-BERICHT"))
    session.add(MatchSuggestion(participant_id=part_a.id, place_id=place_a.id, score=80, explanation={}, engine_version="t",
                                released_to_participant=True))
    evaluation_a = Evaluation(participant_id=part_a.id, coach_id=users["coach_a"].id, held_on=date(2024, 1, 1), summary="GEHEIME-EVALUATIE",
                              signed_off_at=utcnow(), signed_off_by_id=users["coach_a"].id)
    notification_a = Notification(user_id=users["coach_a"].id, kind="participant.answered", payload={"place_title": "GEHEIME-MELDING"},
                                  link="/coach/")
    from web.services.api_tokens import create_token

    token_a, _raw = create_token(session=session, user=users["coach_a"], name="Sleutel A", scope="read")
    premium = Premium(code="premie-a", name_nl="Premie A", name_en="Premium A")
    term = SkillTerm(id="heftruck-a", label_nl="heftruck a", label_en="forklift a", group="logistiek")
    session.add_all([evaluation_a, notification_a, premium, term])
    session.commit()
    ids = {
        "place_id": place_a.id, "proposal_id": proposal_a.id, "participant_id": part_a.id, "evaluation_id": evaluation_a.id,
        "notification_id": notification_a.id, "member_id": colleague_a.id, "user_id": users["coach_b"].id, "premium_id": premium.id, "term_id": term.id,
        "employer_id": employer_a.id, "meeting_id": meeting_a.id, "answer": "interested", "table": "summary", "token": "no-such-token",
        "filename": "css/app.css", "token_id": token_a.id,
    }
    return {"users": users, "ids": ids, "place_b": place_b, "part_b": part_b}


def build_url(rule: str, ids: dict) -> str:
    return ARG.sub(lambda m: str(ids[m.group(1)]), rule)


def call(client, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data if data is not None else FORM)


def body_of(response) -> str:
    """The response body as text (PDF downloads included, undecodable bytes replaced)."""
    return response.get_data().decode("utf-8", "replace")


def db_snapshot(app) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a request."""
    with app.extensions["db_engine"].connect() as conn:
        return {t.name: sorted(repr(tuple(row)) for row in conn.execute(t.select()).all()) for t in SQLModel.metadata.sorted_tables}


def login_with_csrf(client, user) -> None:
    """Log in through the real form, CSRF token included (for the app with CSRF protection on)."""
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, body_of(response)[:300]


# --- the route list itself ----------------------------------------------------------------------------------------


def test_every_route_is_classified():
    """A new area or a new kind of object id must be given its access rule here before it ships."""
    unclassified = [(m, r, e) for m, r, e in PRIVATE_ROUTES if not allowed_roles(e)]
    assert not unclassified, f"add these routes' area to ALLOWED_ROLES or PUBLIC_ENDPOINTS: {unclassified}"
    unknown = [(r, e, a) for _m, r, e in OBJECT_ROUTES for a in _object_args(r) if (_owner_area(e), a) not in OBJECT_OWNERS]
    assert not unknown, f"say who owns these objects in OBJECT_OWNERS: {unknown}"
    endpoints = {e for _m, _r, e in ROUTES}
    assert JSON_ENDPOINTS <= endpoints and PUBLIC_ENDPOINTS <= endpoints, "a listed endpoint no longer exists"


def test_json_endpoints_are_marked_as_json():
    """The JSON endpoints carry the marker that makes their errors JSON (web.security.json_endpoint)."""
    from web.security import is_json_view

    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "DATABASE_URL": "sqlite://"})
    marked = {endpoint for endpoint, view in app.view_functions.items() if is_json_view(view)}
    assert marked == JSON_ENDPOINTS - {"main.healthz"}


# --- (a) anonymous and wrong roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("method, rule, endpoint", PRIVATE_ROUTES, ids=_ids(PRIVATE_ROUTES))
def test_anonymous_is_sent_to_login_and_wrong_roles_get_403(app, world, method, rule, endpoint):
    url = build_url(rule, world["ids"])
    anonymous = call(app.test_client(), method, url)
    if endpoint in JSON_ENDPOINTS:
        assert anonymous.status_code == 401, anonymous.status_code
        assert anonymous.is_json and anonymous.get_json()["error"]
    else:
        assert anonymous.status_code == 302, anonymous.status_code
        assert anonymous.headers["Location"].startswith("/auth/login?next=")
    for role in ALL_ROLES:
        if role in allowed_roles(endpoint):
            continue
        client = logged_in(app, world["users"][f"{role}_a" if role != "admin" else "admin"])
        response = call(client, method, url)
        assert response.status_code == 403, (role, response.status_code)
        if endpoint in JSON_ENDPOINTS:
            assert response.is_json and response.get_json()["error"]
        body = body_of(response)
        assert not any(secret in body for secret in PARTICIPANT_SECRETS + OTHER_SECRETS), role


# --- (b) CSRF ---------------------------------------------------------------------------------------------------


def _csrf_actor(endpoint: str) -> str | None:
    """Who sends the POST: a user allowed on the route and owning its objects (None: a visitor)."""
    if endpoint in PUBLIC_ENDPOINTS:
        return "coach_a" if endpoint == "auth.logout" else None
    role = allowed_roles(endpoint)[0]
    return "admin" if role == "admin" else f"{role}_a"


@pytest.mark.parametrize("method, rule, endpoint", POST_ROUTES, ids=_ids(POST_ROUTES))
def test_post_without_csrf_token_is_refused_and_changes_nothing(csrf_app, world, method, rule, endpoint):
    client = csrf_app.test_client()
    actor = _csrf_actor(endpoint)
    if actor is not None:
        login_with_csrf(client, world["users"][actor])
    before = db_snapshot(csrf_app)
    response = client.post(build_url(rule, world["ids"]), data=FORM)
    assert response.status_code == 400, response.status_code
    assert "formulier is verlopen" in body_of(response) or response.is_json
    assert db_snapshot(csrf_app) == before
    if actor is not None:
        assert client.get("/dashboard").status_code == 302  # still logged in: the refusal was the CSRF check, not the login


# --- (c) another owner's object ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, rule, endpoint", OBJECT_ROUTES, ids=_ids(OBJECT_ROUTES))
def test_a_user_of_the_right_role_cannot_reach_another_owners_object(app, world, method, rule, endpoint):
    rules = {OBJECT_OWNERS[(_owner_area(endpoint), arg)] for arg in _object_args(rule)}
    url = build_url(rule, world["ids"])
    if rules == {SHARED}:
        # every coach may open any published place, but the page lists only their own participants' matches
        client = logged_in(app, world["users"]["coach_b"])
        before = db_snapshot(app)
        response = call(client, method, url)
        assert response.status_code == 200
        assert not any(secret in body_of(response) for secret in PARTICIPANT_SECRETS)
        assert db_snapshot(app) == before
        return
    ((owner, intruder),) = rules - {SHARED}
    if method == "GET":
        owner_response = call(logged_in(app, world["users"][owner]), method, url)
        assert owner_response.status_code in (200, 302), (owner, owner_response.status_code)  # the route works for its owner
    client = logged_in(app, world["users"][intruder])
    before = db_snapshot(app)
    response = call(client, method, url)
    assert response.status_code in (403, 404), (intruder, response.status_code)
    body = body_of(response)
    assert not any(secret in body for secret in PARTICIPANT_SECRETS + OTHER_SECRETS)
    assert db_snapshot(app) == before


def logged_in(app, user):
    """A fresh client with this user's login session (the form itself is tested in test_foundation; this skips Argon2)."""
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = user.get_id()
        cookie_session["_fresh"] = True
        cookie_session["_login_at"] = int(time.time())
    return client
