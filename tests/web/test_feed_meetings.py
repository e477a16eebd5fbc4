"""The private calendar feed carries the confirmed intake meetings of each party, with the invitation's own UID."""
from __future__ import annotations

import re

from icalendar import Calendar

from tests.conftest import (
    login,
    make_employer,
    make_meeting,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import utcnow


def _feed(app, client, user) -> list:
    login(client, user.email)
    html = client.post("/account/kalender").get_data(as_text=True)
    url = re.search(r'data-testid="new-feed">([^<]+)<', html).group(1).replace("http://localhost", "")
    client.post("/auth/logout")
    response = app.test_client().get(url)
    assert response.status_code == 200
    return [e for e in Calendar.from_ical(response.data).walk("VEVENT")]


def test_each_party_sees_the_confirmed_meeting_in_their_feed_and_nobody_else(app, client, session):
    coach = make_user(session, "coach")
    employer_user = make_user(session, "employer")
    place = make_place(session, make_employer(session, employer_user, name="Logistiek Lauwers"), title="Heftruckchauffeur")
    participant_user = make_user(session, "participant")
    person = make_participant(session, coach, user=participant_user, first_name="Dana", last_name="Peeters")
    proposal = make_proposal(session, person, place, state="intake_planned", participant_consented_at=utcnow())
    meeting = make_meeting(session, proposal, status="confirmed", days_ahead=3)
    make_meeting(session, proposal, status="declined", days_ahead=4)
    stranger = make_user(session, "coach")

    for user, expected in ((coach, "Kennismaking Dana Peeters bij Logistiek Lauwers (Heftruckchauffeur)"),
                           (employer_user, f"Kennismaking met kandidaat #{person.id} (Heftruckchauffeur)"),
                           (participant_user, "Gesprek bij Logistiek Lauwers (Heftruckchauffeur)")):
        events = [e for e in _feed(app, client, user) if str(e["UID"]) == meeting.uid]
        assert len(events) == 1, user.role
        assert str(events[0]["SUMMARY"]) == expected
        assert events[0].decoded("DTSTART") == meeting.starts_at and events[0].decoded("DTEND") == meeting.ends_at
    assert not [e for e in _feed(app, client, stranger) if str(e["UID"]) == meeting.uid]
