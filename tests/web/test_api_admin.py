"""Administrators change the reference data through the API with the admin pages' forms and services: the skill
vocabulary (create, change, deactivate), premiums and the settings; the same messages, audit rows and ETag checks."""
from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import make_user
from tests.web.api_helpers import auth, token_for
from tests.web.test_api import snapshot
from web.models import AuditLog, Premium, Setting, SkillTerm

PROBLEM = "application/problem+json"
TERM = {"id": "kassa", "label_nl": "Kassa", "label_en": "Till", "group": "winkel-retail", "variants_nl": ["kassawerk", "kassier"],
        "variants_en": ["cashier"]}


@pytest.fixture
def admin(session):
    return make_user(session, "admin")


def _term_row(session, term_id: str) -> dict:
    session.expire_all()
    return session.get(SkillTerm, term_id).model_dump()


def _audit(session, action: str) -> list[AuditLog]:
    session.expire_all()
    return list(session.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all())


def test_a_skill_term_created_through_the_api_equals_one_made_through_the_form(app, client, session, admin, login_as):
    raw = token_for(app, admin)
    response = client.post("/api/v1/admin/skills", json=TERM, headers=auth(raw))
    assert response.status_code == 201, response.get_json()
    assert response.headers["ETag"] and response.get_json()["active"] is True

    login_as(admin)
    form = {**TERM, "id": "kassa2", "variants_nl": "kassawerk\nkassier", "variants_en": "cashier", "active": "y"}
    assert client.post("/admin/vaardigheden/nieuw", data=form).status_code == 302
    api_row, form_row = _term_row(session, "kassa"), _term_row(session, "kassa2")
    assert {**api_row, "id": None} == {**form_row, "id": None}
    created = _audit(session, "skill_term.created")
    assert [(a.actor_id, a.object_id) for a in created] == [(admin.id, "kassa"), (admin.id, "kassa2")]


@pytest.mark.parametrize("language, message", [("nl", "Gebruik alleen kleine letters, cijfers, - en _."),
                                               ("en", "Use only lower-case letters, digits, - and _.")])
def test_a_bad_skill_code_gives_the_forms_message_per_field_and_saves_nothing(app, client, admin, language, message):
    raw = token_for(app, admin)
    before = snapshot(app)
    response = client.post("/api/v1/admin/skills", json={**TERM, "id": "Met Spaties"}, headers=auth(raw, **{"Accept-Language": language}))
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert {"pointer": "/id", "field": "id", "code": "invalid", "detail": message} in response.get_json()["errors"]
    assert snapshot(app) == before


def test_a_skill_code_that_exists_is_refused_naming_the_field(app, client, admin):
    raw = token_for(app, admin)
    assert client.post("/api/v1/admin/skills", json=TERM, headers=auth(raw)).status_code == 201
    before = snapshot(app)
    again = client.post("/api/v1/admin/skills", json={**TERM, "label_nl": "Andere"}, headers=auth(raw, **{"Accept-Language": "nl"}))
    assert again.status_code == 422
    assert again.get_json()["errors"] == [{"pointer": "/id", "field": "id", "code": "taken", "detail": "Er bestaat al een vaardigheid met deze code."}]
    assert snapshot(app) == before


def test_an_admin_changes_and_deactivates_a_skill_term_with_if_match(app, client, session, admin):
    from web.services.places import resolve_skill_term

    raw = token_for(app, admin)
    client.post("/api/v1/admin/skills", json=TERM, headers=auth(raw))
    url = "/api/v1/admin/skills/kassa"
    etag = client.get(url, headers=auth(raw)).headers["ETag"]
    assert client.patch(url, json={"label_en": "Checkout"}, headers=auth(raw)).status_code == 428

    changed = client.patch(url, json={"label_en": "Checkout", "variants_nl": ["afrekenen"]}, headers=auth(raw, **{"If-Match": etag}))
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["label_en"] == "Checkout" and body["variants_nl"] == ["afrekenen"] and body["label_nl"] == "Kassa"  # the rest kept
    assert changed.headers["ETag"] != etag
    assert resolve_skill_term(session=session, name="afrekenen") == "kassa"

    before = snapshot(app)
    stale = client.patch(url, json={"active": False}, headers=auth(raw, **{"If-Match": etag}))
    assert stale.status_code == 412 and stale.content_type == PROBLEM
    assert snapshot(app) == before

    off = client.patch(url, json={"active": False}, headers=auth(raw, **{"If-Match": changed.headers["ETag"]}))
    assert off.status_code == 200 and off.get_json()["active"] is False
    session.expire_all()
    assert resolve_skill_term(session=session, name="afrekenen") is None  # out of matching, as after the page's checkbox
    assert [a.object_id for a in _audit(session, "skill_term.updated")] == ["kassa", "kassa"]
    listed = client.get("/api/v1/admin/skills", query_string={"active": "false"}, headers=auth(raw)).get_json()
    assert [t["id"] for t in listed["items"]] == ["kassa"] and listed["total"] == 1


def test_the_skill_code_cannot_be_changed_and_unknown_codes_are_404(app, client, admin):
    raw = token_for(app, admin)
    client.post("/api/v1/admin/skills", json=TERM, headers=auth(raw))
    etag = client.get("/api/v1/admin/skills/kassa", headers=auth(raw)).headers["ETag"]
    renamed = client.patch("/api/v1/admin/skills/kassa", json={"id": "iets-anders"}, headers=auth(raw, **{"If-Match": etag}))
    assert renamed.status_code == 422 and renamed.get_json()["errors"][0]["pointer"] == "/id"
    for code, status in (("bestaat-niet", 404), ("Kassa", 404), ("%C3%A9", 404), ("ka%00ssa", 400)):
        missing = client.get(f"/api/v1/admin/skills/{code}", headers=auth(raw))
        assert missing.status_code == status and missing.content_type == PROBLEM, code


def test_skill_terms_are_paged_and_filtered_in_the_database(app, client, session, admin):
    session.add_all([SkillTerm(id=f"term-{i:02d}", label_nl=f"Term {i:02d}", label_en=f"Term {i:02d}", group="logistiek" if i % 2 else "bouw")
                     for i in range(12)])
    session.commit()
    raw = token_for(app, admin)
    first = client.get("/api/v1/admin/skills", query_string={"group": "bouw", "per_page": 4}, headers=auth(raw)).get_json()
    assert first["total"] == 6 and [t["id"] for t in first["items"]] == ["term-00", "term-02", "term-04", "term-06"]
    second = client.get("/api/v1/admin/skills", query_string={"group": "bouw", "per_page": 4, "page": 2}, headers=auth(raw)).get_json()
    assert [t["id"] for t in second["items"]] == ["term-08", "term-10"]
    past = client.get("/api/v1/admin/skills", query_string={"group": "bouw", "per_page": 4, "page": 3}, headers=auth(raw)).get_json()
    assert past["items"] == [] and past["total"] == 6 and past["page"] == 3


def test_an_admin_creates_a_premium_with_the_forms_checks_and_an_audit_row(app, client, session, admin):
    raw = token_for(app, admin)
    bad = client.post("/api/v1/admin/premiums", json={"code": "ibo", "name_nl": "IBO", "name_en": "IBO", "percentage_min": 50,
                                                      "percentage_max": 20}, headers=auth(raw, **{"Accept-Language": "en"}))
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [{"pointer": "/percentage_max", "field": "percentage_max", "code": "invalid",
                                         "detail": "The maximum must be at least the minimum."}]
    good = client.post("/api/v1/admin/premiums", json={"code": "ibo", "name_nl": "IBO", "name_en": "IBO", "amount": 250},
                       headers=auth(raw))
    assert good.status_code == 201 and good.headers["ETag"]
    premium = session.exec(select(Premium).where(Premium.code == "ibo")).one()
    assert premium.amount == 250
    assert [a.object_id for a in _audit(session, "premium.created")] == [str(premium.id)]
    taken = client.post("/api/v1/admin/premiums", json={"code": "ibo", "name_nl": "x", "name_en": "x"}, headers=auth(raw))
    assert taken.status_code == 422 and taken.get_json()["errors"][0]["pointer"] == "/code"


def test_an_admin_changes_the_settings_with_the_forms_checks_if_match_and_an_audit_row(app, client, session, admin, login_as):
    raw = token_for(app, admin)
    read = client.get("/api/v1/admin/settings", headers=auth(raw))
    etag = read.headers["ETag"]
    assert read.get_json()["values"]["phase_max_days"]["jobmatching"] == 90

    before = snapshot(app)
    bad = client.patch("/api/v1/admin/settings", json={"phase_max_days": {"stage": 0}, "success_definition": {"target_pct": 101}},
                       headers=auth(raw, **{"If-Match": etag, "Accept-Language": "en"}))
    assert bad.status_code == 422
    errors = {e["pointer"]: e["detail"] for e in bad.get_json()["errors"]}
    assert errors == {"/phase_max_days/stage": "Choose a number of days from 1 to 730.",
                      "/success_definition/target_pct": "Choose a percentage from 1 to 100."}
    assert {e["field"] for e in bad.get_json()["errors"]} == {"phase_max_days.stage", "success_definition.target_pct"}
    assert snapshot(app) == before

    good = client.patch("/api/v1/admin/settings", json={"phase_max_days": {"jobmatching": 120}, "retention_days": 365},
                        headers=auth(raw, **{"If-Match": etag}))
    assert good.status_code == 200, good.get_json()
    values = good.get_json()["values"]
    assert values["phase_max_days"] == {"voortraject": 30, "jobmatching": 120, "stage": 90, "nazorg": 90}  # the rest kept
    assert values["retention_days"] == 365 and values["place_expiry_days"] == 60
    session.expire_all()
    assert session.get(Setting, "phase_max_days").value["jobmatching"] == 120
    (audit,) = _audit(session, "settings.changed")
    assert audit.actor_id == admin.id
    assert audit.detail["retention_days"] == {"before": 730, "after": 365}
    assert audit.detail["phase_max_days"]["after"]["jobmatching"] == 120

    before = snapshot(app)
    stale = client.patch("/api/v1/admin/settings", json={"retention_days": 400}, headers=auth(raw, **{"If-Match": etag}))
    assert stale.status_code == 412
    assert snapshot(app) == before
    login_as(admin)
    assert 'value="120"' in client.get("/admin/instellingen").get_data(as_text=True)  # the page shows what the API stored


def test_unknown_settings_and_wrong_types_are_422_naming_the_field(app, client, admin):
    raw = token_for(app, admin)
    etag = client.get("/api/v1/admin/settings", headers=auth(raw)).headers["ETag"]
    before = snapshot(app)
    for body, pointer in (({"phase_max_days": {"pauze": 3}}, "/phase_max_days/pauze"), ({"retention_days": "lang"}, "/retention_days"),
                          ({"success_definition": {"rule": "altijd"}}, "/success_definition/rule"), ({"retention_days": None}, "/retention_days")):
        response = client.patch("/api/v1/admin/settings", json=body, headers=auth(raw, **{"If-Match": etag}))
        assert response.status_code == 422, body
        assert pointer in [e["pointer"] for e in response.get_json()["errors"]], response.get_json()
    assert snapshot(app) == before
