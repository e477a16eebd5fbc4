"""The open API behaves like the pages: same services, same checks, same messages (in the Accept-Language language);
updates need a fresh ETag; bad input is a 4xx problem+json that saves nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from tests.web.api_helpers import auth, token_for
from web.models import ApiToken, CostSheet, PlaceSkill, StagePlace, User, utcnow

PROBLEM = "application/problem+json"
START = (date.today() + timedelta(days=30)).isoformat()
PLACE = {
    "title": "Magazijnier", "description": "Orders klaarzetten.", "tasks": "Picken en laden.", "sector": "logistiek", "postal_code": "9000",
    "hours_per_week": 30, "schedule": "ma-do 8-16", "start_date": START, "duration_weeks": 8, "places": 2, "dutch_level": "A2",
    "driving_licence": True, "physical_demands": "Veel staan.",
    "skills": [{"name": "heftruck rijden", "required": True, "min_level": 3}, {"name": "orderpicking", "required": False, "min_level": 2}],
}


@pytest.fixture
def employer_user(session):
    user = make_user(session, "employer")
    make_employer(session, user)
    return user


def snapshot(app) -> dict:
    """Every row of every table except the tokens (whose use and rate counters change on every request)."""
    with app.extensions["db_engine"].connect() as conn:
        return {t.name: sorted(repr(tuple(r)) for r in conn.execute(t.select()).all()) for t in SQLModel.metadata.sorted_tables
                if t.name != "api_token"}


def _place_row(session, place_id: int) -> tuple[dict, list[tuple]]:
    place = session.get(StagePlace, place_id)
    row = {k: v for k, v in place.model_dump().items() if k not in ("id", "created_at", "updated_at", "created_by_id")}
    skills = [(s.name, s.required, s.min_level, s.position, s.taxonomy_id)
              for s in session.exec(select(PlaceSkill).where(PlaceSkill.place_id == place_id).order_by(PlaceSkill.position)).all()]
    return row, skills


def test_a_place_created_through_the_api_equals_one_made_through_the_form(app, client, session, employer_user, login_as):
    raw = token_for(app, employer_user)
    response = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw))
    assert response.status_code == 201, response.get_json()
    api_id = response.get_json()["id"]
    assert response.headers["ETag"]

    form = {k: str(v) for k, v in PLACE.items() if k not in ("skills", "driving_licence")}
    form["driving_licence"] = "y"
    for i, skill in enumerate(PLACE["skills"]):
        form.update({f"skills-{i}-name": skill["name"], f"skills-{i}-required": "1" if skill["required"] else "0",
                     f"skills-{i}-min_level": str(skill["min_level"])})
    login_as(employer_user)
    page = client.post("/werkgever/plaatsen/nieuw", data=form)
    assert page.status_code == 302
    form_id = max(session.exec(select(StagePlace.id)).all())
    assert form_id != api_id
    assert _place_row(session, api_id) == _place_row(session, form_id)
    assert session.exec(select(CostSheet).where(CostSheet.place_id == api_id)).one()  # the service made its sheet too


@pytest.mark.parametrize("language, message", [("nl", "Kies tussen 1 en 50 uur per week."), ("en", "Choose between 1 and 50 hours a week.")])
def test_the_api_gives_the_forms_message_in_the_requested_language(app, client, employer_user, language, message):
    raw = token_for(app, employer_user)
    before = snapshot(app)
    response = client.post("/api/v1/employer/places", json={**PLACE, "hours_per_week": 99}, headers=auth(raw, **{"Accept-Language": language}))
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == 422 and body["type"].endswith("/validation")
    assert {"pointer": "/hours_per_week", "field": "hours_per_week", "code": "invalid", "detail": message} in body["errors"]
    assert snapshot(app) == before


def test_a_stale_if_match_gives_412_and_changes_nothing(app, client, session, employer_user):
    raw = token_for(app, employer_user)
    created = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw))
    place_id, first_etag = created.get_json()["id"], created.headers["ETag"]
    url = f"/api/v1/employer/places/{place_id}"
    one = client.patch(url, json={"title": "Eerste systeem"}, headers=auth(raw, **{"If-Match": first_etag}))
    assert one.status_code == 200 and one.headers["ETag"] != first_etag
    before = snapshot(app)
    two = client.patch(url, json={"title": "Tweede systeem"}, headers=auth(raw, **{"If-Match": first_etag}))
    assert two.status_code == 412 and two.content_type == PROBLEM
    assert snapshot(app) == before
    assert session.get(StagePlace, place_id).title == "Eerste systeem"
    missing = client.patch(url, json={"title": "Zonder ETag"}, headers=auth(raw))
    assert missing.status_code == 428 and missing.content_type == PROBLEM
    assert snapshot(app) == before


def test_patch_changes_only_the_fields_sent_and_keeps_the_skills(app, client, session, employer_user):
    raw = token_for(app, employer_user)
    created = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw)).get_json()
    etag = client.get(f"/api/v1/employer/places/{created['id']}", headers=auth(raw)).headers["ETag"]
    changed = client.patch(f"/api/v1/employer/places/{created['id']}", json={"hours_per_week": 20}, headers=auth(raw, **{"If-Match": etag}))
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["hours_per_week"] == 20 and body["title"] == PLACE["title"]
    assert [s["name"] for s in body["skills"]] == ["heftruck rijden", "orderpicking"]


BAD_BODIES = [
    ("malformed json", b'{"title": "x",', "application/json", 400),
    ("json array", b'[{"title": "x"}]', "application/json", 400),
    ("wrong content type", b"title=x", "application/x-www-form-urlencoded", 415),
    ("wrong types", b'{"title": 12, "hours_per_week": "veel", "skills": "heftruck"}', "application/json", 422),
    ("unknown field", b'{"title": "x", "is_admin": true}', "application/json", 422),
    ("huge number", b'{"title": "x", "hours_per_week": 9223372036854775808}', "application/json", 422),
    ("nested wrong", b'{"title": "x", "skills": [{"name": "a", "min_level": 9}]}', "application/json", 422),
    ("nul byte", b'{"title": "x\\u0000y"}', "application/json", 422),
    ("lone surrogate", b'{"title": "x", "skills": [{"name": "\\ud800"}]}', "application/json", 422),
    ("deeply nested", b'{"title": ' + b"[" * 100000 + b"]" * 100000 + b"}", "application/json", 400),
    ("not utf-8", b'{"title": "\xff"}', "application/json", 400),
    ("nan is not json", b'{"title": "x", "hours_per_week": NaN}', "application/json", 400),
    ("infinite float", b'{"title": "x", "hours_per_week": 1e400}', "application/json", 400),
]


@pytest.mark.parametrize("label, body, content_type, status", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_a_4xx_problem_and_saves_nothing(app, client, employer_user, label, body, content_type, status):
    raw = token_for(app, employer_user)
    before = snapshot(app)
    response = client.post("/api/v1/employer/places", data=body, content_type=content_type, headers=auth(raw))
    assert response.status_code == status, (label, response.get_json())
    assert response.content_type == PROBLEM
    assert response.get_json()["status"] == status
    assert snapshot(app) == before


def test_control_characters_in_the_query_are_refused_per_field(app, client, session):
    coach = make_user(session, "coach")
    raw = token_for(app, coach)
    response = client.get("/api/v1/coach/participants?q=a%00b", headers=auth(raw))
    # the app-wide NUL check answers first (400); either way a problem document, never a server error
    assert response.status_code in (400, 422) and response.content_type == PROBLEM
    if response.status_code == 422:
        assert response.get_json()["errors"][0]["pointer"] == "/query/q/0"


def test_a_ten_megabyte_body_is_refused_with_413(app, client, employer_user):
    raw = token_for(app, employer_user)
    before = snapshot(app)
    big = b'{"title": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/employer/places", data=big, content_type="application/json", headers=auth(raw))
    assert response.status_code == 413 and response.content_type == PROBLEM
    assert snapshot(app) == before


@pytest.mark.parametrize("url", ["/api/v1/employer/places/9223372036854775808", "/api/v1/employer/places/9223372036854775807/sheet",
                                 "/api/v1/employer/proposals/18446744073709551616", "/api/v1/employer/places/-1", "/api/v1/employer/places/0"])
def test_ids_beyond_the_database_range_are_404_problems(app, client, employer_user, url):
    raw = token_for(app, employer_user)
    response = client.get(url, headers=auth(raw))
    assert response.status_code == 404 and response.content_type == PROBLEM


def test_publishing_an_incomplete_place_lists_what_is_missing_then_publishes_with_its_sheet(app, client, session, employer_user):
    raw = token_for(app, employer_user)
    place = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw)).get_json()
    refused = client.post(f"/api/v1/employer/places/{place['id']}/actions", json={"action": "publish"}, headers=auth(raw, **{"Accept-Language": "en"}))
    assert refused.status_code == 422
    assert any("mentor" in e["detail"] for e in refused.get_json()["errors"])
    sheet_url = f"/api/v1/employer/places/{place['id']}/sheet"
    etag = client.get(sheet_url, headers=auth(raw)).headers["ETag"]
    sheet = client.patch(sheet_url, headers=auth(raw, **{"If-Match": etag}), json={
        "mentor_name": "An", "mentor_hours_per_week": 4, "mentor_hourly_cost": 30, "first_day_plan": "Rondleiding.", "intention": "hire",
        "wage_mode": "hour", "wage_amount": 2.5, "lines": [{"kind": "clothing", "label": "Schoenen", "amount": 80, "period": "once"}],
    })
    assert sheet.status_code == 200, sheet.get_json()
    totals = sheet.get_json()["total"]
    # wage 2.50 × 30 h a week and mentor 4 h × 30 a week, over 8 weeks, plus 80 once
    assert totals["once"] == 80.0
    assert totals["whole_stage"] == pytest.approx(80 + 8 * (2.5 * 30 + 4 * 30))
    published = client.post(f"/api/v1/employer/places/{place['id']}/actions", json={"action": "publish"}, headers=auth(raw))
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["status"] == "published" and "pause" in published.get_json()["actions"]
    again = client.post(f"/api/v1/employer/places/{place['id']}/actions", json={"action": "publish"}, headers=auth(raw))
    assert again.status_code == 409 and again.content_type == PROBLEM


def test_the_sheet_form_checks_apply_to_the_api(app, client, employer_user):
    raw = token_for(app, employer_user)
    place = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw)).get_json()
    url = f"/api/v1/employer/places/{place['id']}/sheet"
    etag = client.get(url, headers=auth(raw)).headers["ETag"]
    response = client.patch(url, json={"wage_mode": "month", "lines": [{"label": "Schoenen", "amount": -5}]},
                            headers=auth(raw, **{"If-Match": etag, "Accept-Language": "nl"}))
    assert response.status_code == 422
    pointers = {e["pointer"]: e["detail"] for e in response.get_json()["errors"]}
    assert pointers["/wage_amount"] == "Vul het bedrag in, of kies 'Geen'."
    assert pointers["/lines/0/amount"] == "Een bedrag kan niet negatief zijn."


def test_the_employer_sees_a_pseudonym_before_consent_and_contact_data_after(app, client, session, employer_user):
    coach = make_user(session, "coach")
    from web.services.dashboards import employer_for_user

    employer = employer_for_user(session=session, user=employer_user)
    place = make_place(session, employer)
    person = make_participant(session, coach, first_name="Zorro", last_name="Geheimnaam", email="zorro@example.be", consent_level="skills")
    proposal = make_proposal(session, person, place)
    raw = token_for(app, employer_user)
    listed = client.get("/api/v1/employer/proposals", headers=auth(raw))
    assert listed.status_code == 200
    assert "Zorro" not in listed.get_data(as_text=True) and "zorro@" not in listed.get_data(as_text=True)
    assert listed.get_json()["items"][0]["candidate"]["name"] == f"#{person.id}"
    proposal.participant_consented_at = utcnow()
    proposal.state = "participant_agreed"
    session.add(proposal)
    session.commit()
    read = client.get(f"/api/v1/employer/proposals/{proposal.id}", headers=auth(raw)).get_json()
    assert read["candidate"]["contact"] == {"name": "Zorro Geheimnaam", "email": "zorro@example.be", "phone": None}
    assert read["answers"] == ["interested", "intake", "decline"]


def test_the_employer_answers_a_proposal_through_the_service(app, client, session, employer_user):
    from web.models import ProposalEvent
    from web.services.dashboards import employer_for_user

    coach = make_user(session, "coach")
    place = make_place(session, employer_for_user(session=session, user=employer_user))
    proposal = make_proposal(session, make_participant(session, coach), place)
    raw = token_for(app, employer_user)
    url = f"/api/v1/employer/proposals/{proposal.id}/answer"
    no_reason = client.post(url, json={"answer": "decline"}, headers=auth(raw))
    assert no_reason.status_code == 422 and no_reason.get_json()["code"] == "reason_required"
    naive = client.post(url, json={"answer": "intake", "intake_options": ["2099-01-01T10:00:00"]}, headers=auth(raw))
    assert naive.status_code == 422
    answered = client.post(url, json={"answer": "interested", "note": "Graag"}, headers=auth(raw))
    assert answered.status_code == 200 and answered.get_json()["state"] == "employer_interested"
    events = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)).all()
    assert [(e.to_state, e.actor_id) for e in events] == [("employer_interested", employer_user.id)]


def test_a_coach_reads_and_updates_a_caseload_profile_and_proposes(app, client, session):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    employer = make_employer(session)
    place = make_place(session, employer)
    raw = token_for(app, coach)
    listed = client.get("/api/v1/coach/participants", headers=auth(raw)).get_json()
    assert [p["id"] for p in listed["items"]] == [person.id] and listed["total"] == 1
    url = f"/api/v1/coach/participants/{person.id}"
    etag = client.get(url, headers=auth(raw)).headers["ETag"]
    bad = client.patch(url, json={"postal_code": "0000"}, headers=auth(raw, **{"If-Match": etag, "Accept-Language": "en"}))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["pointer"] == "/postal_code"
    good = client.patch(url, json={"hours_per_week": 20, "skills": [{"name": "heftruck", "level": 4}]}, headers=auth(raw, **{"If-Match": etag}))
    assert good.status_code == 200, good.get_json()
    assert good.get_json()["hours_per_week"] == 20 and [(s["name"], s["level"]) for s in good.get_json()["skills"]] == [("heftruck", 4)]

    created = client.post("/api/v1/coach/proposals", json={"participant_id": person.id, "place_id": place.id, "note": "Past goed"}, headers=auth(raw))
    assert created.status_code == 201, created.get_json()
    twice = client.post("/api/v1/coach/proposals", json={"participant_id": person.id, "place_id": place.id}, headers=auth(raw))
    assert twice.status_code == 409
    proposal_id = created.get_json()["id"]
    wrong = client.post(f"/api/v1/coach/proposals/{proposal_id}/transitions", json={"to_state": "hired"}, headers=auth(raw))
    assert wrong.status_code == 409 and wrong.get_json()["code"] == "not_allowed"
    moved = client.post(f"/api/v1/coach/proposals/{proposal_id}/transitions", json={"to_state": "participant_agreed"}, headers=auth(raw))
    assert moved.status_code == 200 and moved.get_json()["state"] == "participant_agreed"


def test_admin_reads_reference_data_and_monitoring(app, client, session):
    admin = make_user(session, "admin")
    raw = token_for(app, admin, scope="read")
    for url in ("/api/v1/admin/skills", "/api/v1/admin/premiums", "/api/v1/admin/settings", "/api/v1/admin/monitoring"):
        response = client.get(url, headers=auth(raw))
        assert response.status_code == 200, (url, response.get_json())


def test_the_api_never_accepts_the_session_cookie(app, client, employer_user, login_as):
    login_as(employer_user)
    assert client.get("/werkgever/plaatsen").status_code == 200
    response = client.get("/api/v1/employer/places")
    assert response.status_code == 401 and response.content_type == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in response.headers


def test_tokens_are_stored_hashed_expire_after_90_days_and_record_their_last_use(app, client, session, employer_user):
    raw = token_for(app, employer_user, scope="read")
    token = session.exec(select(ApiToken)).one()
    assert raw not in repr(token.model_dump()) and token.token_hash != raw
    assert timedelta(days=89, hours=23) < token.expires_at - token.created_at <= timedelta(days=90)
    assert token.last_used_at is None
    assert client.get("/api/v1/me", headers=auth(raw)).get_json()["token_scope"] == "read"
    session.refresh(token)
    assert token.last_used_at is not None


def test_the_rate_limit_answers_429_with_retry_after_per_token(app, client, employer_user):
    app.config["API_RATE_LIMIT"] = 3
    first, second = token_for(app, employer_user), token_for(app, employer_user)
    statuses = [client.get("/api/v1/me", headers=auth(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/me", headers=auth(first))
    assert limited.content_type == PROBLEM and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me", headers=auth(second)).status_code == 200  # another token has its own window


def test_a_server_error_is_a_problem_and_rolls_back(app, client, employer_user, monkeypatch):
    from web.services import places

    raw = token_for(app, employer_user)
    before = snapshot(app)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(places, "publish_problems", broken)
    response = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw))
    assert response.status_code == 500 and response.content_type == PROBLEM
    assert snapshot(app) == before


def test_the_openapi_document_is_3_1_and_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    described = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    import re

    routes = {(re.sub(r"<(?:[^<>]*:)?([^<>:]+)>", r"{\1}", r.rule), m) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/v1/") and r.endpoint not in ("api.openapi", "api.docs", "api.docs_asset")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    assert routes == described
    for path, ops in document["paths"].items():
        for op in ops.values():
            assert set(op["responses"]["404"]["content"]) == {"application/problem+json"}, path


def test_the_reference_page_is_served_by_the_app_without_inline_scripts(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "cdn" not in html.lower()
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    footer = client.get("/").get_data(as_text=True)
    assert "/api/v1/docs/" in footer


def test_database_text_is_unchanged_by_a_refused_write(app, client, session, employer_user):
    """A read-only token on a write is 403 before the body is even looked at."""
    raw = token_for(app, employer_user, scope="read")
    before = snapshot(app)
    response = client.post("/api/v1/employer/places", json=PLACE, headers=auth(raw))
    assert response.status_code == 403 and response.get_json()["code"] == "token_read_only"
    assert snapshot(app) == before
    with app.extensions["db_engine"].connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stage_place")).scalar() == 0
    assert session.exec(select(User)).first() is not None


def test_an_admin_changes_a_premiums_amount_with_the_forms_checks_and_an_audit_row(app, client, session):
    from web.models import AuditLog, Premium

    admin = make_user(session, "admin")
    premium = Premium(code="vop", name_nl="VOP", name_en="VOP", amount=100.0, percentage_min=20, percentage_max=75)
    session.add(premium)
    session.commit()
    raw = token_for(app, admin)
    url = f"/api/v1/admin/premiums/{premium.id}"
    etag = client.get(url, headers=auth(raw)).headers["ETag"]
    bad = client.patch(url, json={"percentage_max": 10}, headers=auth(raw, **{"If-Match": etag, "Accept-Language": "nl"}))
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [{"pointer": "/percentage_max", "field": "percentage_max", "code": "invalid",
                                         "detail": "Het maximum moet minstens het minimum zijn."}]
    good = client.patch(url, json={"amount": 125.5}, headers=auth(raw, **{"If-Match": etag}))
    assert good.status_code == 200 and good.get_json()["amount"] == 125.5 and good.get_json()["percentage_max"] == 75
    session.expire_all()
    assert session.get(Premium, premium.id).amount == 125.5
    audit = session.exec(select(AuditLog).where(AuditLog.action == "premium.updated")).one()
    assert audit.actor_id == admin.id and audit.detail["amount"] == 125.5
