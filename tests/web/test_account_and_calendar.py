"""The account page: API tokens made, shown once and revoked in Dutch and English with CSRF; the private calendar feed
(valid iCalendar with the user's own deadlines only), revocable."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from tests.web.test_security_matrix import login_with_csrf
from web.models import ApiToken, CalendarFeed, utcnow


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("language, created, revoked", [
    ("nl", "De sleutel is gemaakt. Kopieer hem nu: je ziet hem maar één keer.", "De sleutel is ingetrokken. Hij werkt niet meer."),
    ("en", "The token has been created. Copy it now: you will see it only once.", "The token has been revoked. It no longer works."),
])
def test_a_user_makes_a_token_sees_it_once_uses_it_and_revokes_it(csrf_app, session, language, created, revoked):
    user = make_user(session, "employer", language=language)
    make_employer(session, user)
    client = csrf_app.test_client()
    login_with_csrf(client, user)
    page = client.get("/account/").get_data(as_text=True)
    assert "name=\"lifetime_days\"" in page and 'value="90"' in page
    refused = client.post("/account/sleutels", data={"name": "ATS", "scope": "read_write", "lifetime_days": "90"})
    assert refused.status_code == 400  # no CSRF token
    assert session.exec(select(ApiToken)).all() == []
    response = client.post("/account/sleutels", data={"name": "ATS", "scope": "read_write", "lifetime_days": "30", "csrf_token": _csrf(page)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert created in html
    raw = re.search(r'data-testid="new-token">(sbg_[^<]+)<', html).group(1)
    token = session.exec(select(ApiToken)).one()
    assert token.name == "ATS" and token.scope == "read_write" and token.token_hash != raw
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    again = client.get("/account/").get_data(as_text=True)
    assert raw not in again and token.prefix in again  # shown once; afterwards only its prefix

    api = csrf_app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    done = client.post(f"/account/sleutels/{token.id}/intrekken", data={"csrf_token": _csrf(again)}, follow_redirects=True)
    assert revoked in done.get_data(as_text=True)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_bad_token_form_shows_the_errors(app, client, session, login_as):
    user = make_user(session, "coach", language="en")
    login_as(user)
    response = client.post("/account/sleutels", data={"name": "", "scope": "admin", "lifetime_days": "9999"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose between 1 and 365 days." in html
    assert session.exec(select(ApiToken)).all() == []


def _feed_url(client) -> str:
    html = client.post("/account/kalender").get_data(as_text=True)
    return re.search(r'data-testid="new-feed">([^<]+)<', html).group(1).replace("http://localhost", "")


def test_the_calendar_feed_holds_the_users_own_deadlines_and_can_be_revoked(app, client, session, login_as):
    coach, other = make_user(session, "coach"), make_user(session, "coach")
    mine = make_participant(session, coach, first_name="Anna", last_name="Eigen")
    make_participant(session, other, first_name="Bert", last_name="Vreemd")
    employer = make_employer(session)
    place = make_place(session, employer, title="Magazijnier")
    make_proposal(session, mine, place, updated_at=utcnow() - timedelta(days=2))
    login_as(coach)
    url = _feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    events = [c for c in calendar.walk("VEVENT")]
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == ["Einde fase Jobmatching: Anna Eigen", "Opvolgen: voorstel voor Magazijnier"]
    assert all(e["UID"] and e["DTSTAMP"] and e["DTSTART"] for e in events)
    due = next(e for e in events if "Einde fase" in str(e["SUMMARY"]))
    assert due["DTSTART"].dt == date.today() - timedelta(days=20) + timedelta(days=90)
    assert session.exec(select(CalendarFeed)).one().last_used_at is not None

    newer = _feed_url(client)
    assert anonymous.get(url).status_code == 404  # a new address replaces the old one
    assert anonymous.get(newer).status_code == 200
    client.post("/account/kalender/uit")
    assert anonymous.get(newer).status_code == 404


def test_an_employers_feed_has_place_expiry_and_waiting_proposals_in_english(app, client, session, login_as):
    user = make_user(session, "employer", language="en")
    employer = make_employer(session, user)
    place = make_place(session, employer, title="Forklift driver", expires_at=utcnow() + timedelta(days=10))
    make_proposal(session, make_participant(session, make_user(session, "coach"), first_name="Zorro"), place)
    login_as(user)
    body = app.test_client().get(_feed_url(client)).get_data(as_text=True)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Internship place expires: Forklift driver", "Proposal for Forklift driver waits for your answer"]
    assert "Zorro" not in body
