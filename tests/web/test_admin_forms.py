"""Admin forms: CSRF on every form, Dutch errors on bad input, and what each action changes and audits."""
from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import login, make_user
from web.models import AuditLog, OutboxEmail, Premium, Setting, SkillTerm, Team, User
from web.services.admin import AuditLogIsAppendOnly


@pytest.fixture
def admin_client(client, session):
    admin = make_user(session, "admin", full_name="Beheerder Een")
    login(client, admin.email)
    client.admin = admin
    return client


FORMS = {
    "/admin/gebruikers/uitnodigen": {"email": "nieuw@example.be", "full_name": "Nieuwe Coach", "role": "coach", "language": "nl"},
    "/admin/instellingen": {"voortraject": "30", "jobmatching": "90", "stage": "90", "nazorg": "90", "success_rule": "hired",
                            "target_pct": "75", "retention_days": "730", "place_expiry_days": "60"},
    "/admin/vaardigheden/nieuw": {"id": "kassa", "label_nl": "Kassa", "label_en": "Till", "group": "winkel-retail"},
    "/admin/premies/nieuw": {"code": "test", "name_nl": "Test", "name_en": "Test"},
}


@pytest.mark.parametrize("path", sorted(FORMS))
def test_every_admin_form_refuses_a_post_without_csrf_token(csrf_app, session, path):
    client = csrf_app.test_client()
    admin = make_user(session, "admin")
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0] if 'name="csrf_token" type="hidden" value="' in page else \
        page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/auth/login", data={"email": admin.email, "password": "correct horse battery", "csrf_token": token}).status_code == 302
    assert client.post(path, data=FORMS[path]).status_code == 400
    form_page = client.get(path).get_data(as_text=True)
    assert 'name="csrf_token"' in form_page


def test_deactivate_form_refuses_a_post_without_csrf_token(csrf_app, session):
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    admin = make_user(session, "admin")
    coach = make_user(session, "coach")
    login(client, admin.email)
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in client.get(f"/admin/gebruikers/{coach.id}").get_data(as_text=True)
    assert client.post(f"/admin/gebruikers/{coach.id}/actief", data={"active": "0"}).status_code == 400
    session.refresh(coach)
    assert coach.is_active


def test_invite_creates_a_coach_mails_a_link_and_audits(admin_client, session):
    team = Team(name="Team Gent")
    session.add(team)
    session.commit()
    response = admin_client.post("/admin/gebruikers/uitnodigen", data={**FORMS["/admin/gebruikers/uitnodigen"], "team_id": str(team.id),
                                                                       "is_team_lead": "y"})
    assert response.status_code == 302
    user = session.exec(select(User).where(User.email == "nieuw@example.be")).one()
    assert (user.role, user.team_id, user.is_team_lead, user.password_hash) == ("coach", team.id, True, None)
    assert session.exec(select(OutboxEmail).where(OutboxEmail.to_address == "nieuw@example.be")).one()
    assert session.exec(select(AuditLog).where(AuditLog.action == "user.invited")).one().actor_id == admin_client.admin.id


def test_invite_with_bad_input_shows_dutch_errors(admin_client, session):
    response = admin_client.post("/admin/gebruikers/uitnodigen", data={"email": "geen-adres", "full_name": "", "role": "employer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Het formulier is nog niet in orde" in page
    assert "Vul een geldig e-mailadres in." in page
    assert "Dit veld is verplicht." in page
    make_user(session, "coach", email="bestaat@example.be")
    again = admin_client.post("/admin/gebruikers/uitnodigen", data={**FORMS["/admin/gebruikers/uitnodigen"], "email": "bestaat@example.be"})
    assert "Er bestaat al een account met dit e-mailadres." in again.get_data(as_text=True)


def test_deactivate_and_reactivate_a_user(admin_client, session):
    coach = make_user(session, "coach")
    assert admin_client.post(f"/admin/gebruikers/{coach.id}/actief", data={"active": "0"}).status_code == 302
    session.refresh(coach)
    assert coach.is_active is False
    assert login(admin_client.application.test_client(), coach.email).status_code == 200  # refused
    admin_client.post(f"/admin/gebruikers/{coach.id}/actief", data={"active": "1"})
    session.refresh(coach)
    assert coach.is_active is True
    actions = session.exec(select(AuditLog.action).where(AuditLog.object_id == str(coach.id))).all()
    assert actions == ["user.deactivated", "user.activated"]


def test_admin_cannot_deactivate_or_demote_themselves(admin_client, session):
    admin = admin_client.admin
    admin_client.post(f"/admin/gebruikers/{admin.id}/actief", data={"active": "0"})
    session.refresh(admin)
    assert admin.is_active
    response = admin_client.post(f"/admin/gebruikers/{admin.id}", data={"role": "coach"})
    assert response.status_code == 400
    assert "Je kan je eigen beheerdersrol niet afnemen." in response.get_data(as_text=True)


def test_change_role_of_a_coach_to_team_lead_and_admin(admin_client, session):
    team = Team(name="Team Brugge")
    session.add(team)
    session.commit()
    coach = make_user(session, "coach")
    assert admin_client.post(f"/admin/gebruikers/{coach.id}", data={"role": "coach", "team_id": str(team.id), "is_team_lead": "y"}).status_code == 302
    session.refresh(coach)
    assert (coach.team_id, coach.is_team_lead) == (team.id, True)
    admin_client.post(f"/admin/gebruikers/{coach.id}", data={"role": "admin"})
    session.refresh(coach)
    assert (coach.role, coach.team_id, coach.is_team_lead) == ("admin", None, False)
    entry = session.exec(select(AuditLog).where(AuditLog.action == "user.role_changed").order_by(AuditLog.id.desc())).first()
    assert entry.detail["before"]["role"] == "coach" and entry.detail["after"]["role"] == "admin"


def test_roles_of_employers_cannot_be_changed_here(admin_client, session):
    employer_user = make_user(session, "employer")
    response = admin_client.post(f"/admin/gebruikers/{employer_user.id}", data={"role": "admin"})
    session.refresh(employer_user)
    assert employer_user.role == "employer"
    assert response.status_code == 200


def test_add_and_edit_a_skill_term_with_variants(admin_client, session):
    data = {**FORMS["/admin/vaardigheden/nieuw"], "variants_nl": "kassawerk, kassier\nafrekenen\nkassier", "variants_en": "cashier"}
    assert admin_client.post("/admin/vaardigheden/nieuw", data=data).status_code == 302
    term = session.get(SkillTerm, "kassa")
    assert term.variants_nl == ["kassawerk", "kassier", "afrekenen"]
    assert term.active is False  # an unticked box in a post means inactive
    admin_client.post("/admin/vaardigheden/kassa", data={**data, "id": "iets-anders", "label_nl": "Kassawerk", "active": "y"})
    session.refresh(term)
    assert (term.id, term.label_nl, term.active) == ("kassa", "Kassawerk", True)
    assert session.get(SkillTerm, "iets-anders") is None
    page = admin_client.get("/admin/vaardigheden", query_string={"q": "afrekenen"}).get_data(as_text=True)
    assert "Kassawerk" in page


def test_skill_term_with_bad_input_shows_dutch_errors(admin_client, session):
    response = admin_client.post("/admin/vaardigheden/nieuw", data={"id": "Met Spaties", "label_nl": "", "label_en": "x", "group": "winkel-retail"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Gebruik alleen kleine letters, cijfers, - en _." in page and "Dit veld is verplicht." in page
    admin_client.post("/admin/vaardigheden/nieuw", data=FORMS["/admin/vaardigheden/nieuw"])
    again = admin_client.post("/admin/vaardigheden/nieuw", data=FORMS["/admin/vaardigheden/nieuw"])
    assert "Er bestaat al een vaardigheid met deze code." in again.get_data(as_text=True)


def test_add_and_edit_a_premium(admin_client, session):
    data = {"code": "imw_loonpremie", "name_nl": "Loonpremie", "name_en": "Wage premium", "percentage_min": "20", "percentage_max": "75",
            "valid_from": "2023-07-01", "source_url": "https://www.vlaanderen.be/werken"}
    assert admin_client.post("/admin/premies/nieuw", data=data).status_code == 302
    premium = session.exec(select(Premium)).one()
    assert (premium.percentage_min, premium.percentage_max, str(premium.valid_from)) == (20.0, 75.0, "2023-07-01")
    admin_client.post(f"/admin/premies/{premium.id}", data={**data, "amount": "1250.50"})
    session.refresh(premium)
    assert premium.amount == 1250.5
    assert "premium.updated" in session.exec(select(AuditLog.action)).all()


def test_premium_with_bad_input_shows_dutch_errors(admin_client, session):
    response = admin_client.post("/admin/premies/nieuw", data={
        "code": "x", "name_nl": "X", "name_en": "X", "amount": "-5", "percentage_min": "60", "percentage_max": "20",
        "valid_from": "2025-02-01", "valid_to": "2025-01-01", "source_url": "geen link",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Het bedrag mag niet negatief zijn.", "Het maximum moet minstens het minimum zijn.",
                    "De einddatum moet na de begindatum liggen.", "Vul een geldige link in."):
        assert message in page, message
    assert session.exec(select(Premium)).all() == []


def test_settings_are_saved_and_audited(admin_client, session):
    data = {**FORMS["/admin/instellingen"], "jobmatching": "120", "retention_days": "365"}
    assert admin_client.post("/admin/instellingen", data=data).status_code == 302
    assert session.get(Setting, "phase_max_days").value["jobmatching"] == 120
    assert session.get(Setting, "success_definition").value == {"rule": "hired", "target_pct": 75}
    assert session.get(Setting, "retention_days").value == 365
    entry = session.exec(select(AuditLog).where(AuditLog.action == "settings.changed")).one()
    assert entry.detail["retention_days"] == {"before": 730, "after": 365}
    page = admin_client.get("/admin/instellingen").get_data(as_text=True)
    assert 'value="120"' in page


def test_settings_with_bad_input_show_dutch_errors(admin_client, session):
    response = admin_client.post("/admin/instellingen", data={**FORMS["/admin/instellingen"], "stage": "0", "target_pct": "abc", "retention_days": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kies een aantal dagen van 1 tot 730." in page
    assert "Dit veld is verplicht." in page
    assert session.get(Setting, "phase_max_days") is None


def test_audit_log_is_searchable_and_downloadable(admin_client, session):
    admin = admin_client.admin
    session.add_all([
        AuditLog(actor_id=admin.id, action="user.invited", object_type="User", object_id="7", detail={"role": "coach"}),
        AuditLog(actor_id=None, action="place.expired", object_type="StagePlace", object_id="3"),
    ])
    session.commit()
    page = admin_client.get("/admin/audit", query_string={"q": "beheerder een"}).get_data(as_text=True)
    assert "<td>Uitgenodigd</td>" in page and "<td>Stageplaats verlopen</td>" not in page
    page = admin_client.get("/admin/audit", query_string={"action": "place.expired"}).get_data(as_text=True)
    assert "<td>Stageplaats verlopen</td>" in page and "<td>Uitgenodigd</td>" not in page
    page = admin_client.get("/admin/audit", query_string={"date_from": "2000-01-01", "date_to": "2000-01-02"}).get_data(as_text=True)
    assert "Niets gevonden." in page
    csv_text = admin_client.get("/admin/audit.csv").get_data(as_text=True)
    assert "user.invited" in csv_text and "place.expired" in csv_text


def test_audit_log_is_append_only(session):
    entry = AuditLog(action="test.one")
    session.add(entry)
    session.commit()
    entry.action = "test.changed"
    with pytest.raises(AuditLogIsAppendOnly):
        session.commit()
    session.rollback()
    session.delete(session.get(AuditLog, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        session.commit()
