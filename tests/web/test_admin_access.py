"""Admin area authorisation: anonymous users go to login, other roles get 403, team leads see monitoring only."""
from __future__ import annotations

import pytest

from tests.conftest import login, make_employer, make_participant, make_user
from web.models import Team

ADMIN_PAGES = [
    "/admin/", "/admin/gebruikers", "/admin/gebruikers/uitnodigen", "/admin/vaardigheden", "/admin/vaardigheden/nieuw",
    "/admin/premies", "/admin/premies/nieuw", "/admin/instellingen", "/admin/audit", "/admin/audit.csv", "/admin/monitoring",
    "/admin/monitoring/funnel.csv",
]
POSTS = ["/admin/gebruikers/uitnodigen", "/admin/instellingen", "/admin/vaardigheden/nieuw", "/admin/premies/nieuw"]


def _user_of_role(session, role):
    if role == "employer":
        user = make_user(session, "employer")
        make_employer(session, user=user)
    elif role == "participant":
        user = make_user(session, "participant")
        make_participant(session, make_user(session, "coach"), user=user)
    else:
        user = make_user(session, role)
    return user


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("role", ["coach", "employer", "participant"])
def test_other_roles_get_403_on_every_admin_page(client, session, role):
    user = _user_of_role(session, role)
    assert login(client, user.email).status_code == 302
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        assert client.post(path, data={}).status_code == 403, path


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_opens_every_admin_page(client, session, path):
    admin = make_user(session, "admin")
    login(client, admin.email)
    assert client.get(path).status_code == 200


def test_coach_team_lead_sees_monitoring_but_nothing_else(client, session):
    team = Team(name="Team Gent")
    session.add(team)
    session.commit()
    lead = make_user(session, "coach", team_id=team.id, is_team_lead=True)
    login(client, lead.email)
    page = client.get("/admin/monitoring")
    assert page.status_code == 200
    assert "Team Gent" in page.get_data(as_text=True)
    assert client.get("/admin/monitoring/summary.csv").status_code == 200
    for path in ["/admin/", "/admin/gebruikers", "/admin/instellingen", "/admin/audit"]:
        assert client.get(path).status_code == 403, path
    assert 'href="/admin/monitoring"' in client.get("/coach/").get_data(as_text=True)


def test_ordinary_coach_has_no_monitoring_link(client, session):
    coach = make_user(session, "coach")
    login(client, coach.email)
    assert 'href="/admin/monitoring"' not in client.get("/coach/").get_data(as_text=True)
