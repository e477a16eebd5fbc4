"""The proposals inbox: a pseudonymous candidate, profile views logged, answers as transitions that notify the coach."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.conftest import make_participant, make_proposal, make_user
from tests.web.employer_helpers import draft_place, employer_with_user
from web.models import Meeting, Notification, ProfileView, ProposalEvent, utcnow


@pytest.fixture
def setup(session):
    employer, user = employer_with_user(session, postal_code="9000")
    coach = make_user(session, "coach")
    place = draft_place(session, employer, status="published", title="Magazijnmedewerker", postal_code="9000")
    participant = make_participant(
        session, coach, skills=(("heftruck rijden", 3), ("orderpicking", 2)), first_name="Fatima", last_name="Benali", email="fatima@example.be",
        phone="0470 12 34 56", postal_code="9050", hours_per_week=30, limitations="Rugklachten, niet zwaar tillen", support_needs="Extra uitleg bij nieuwe taken",
        consent_level="skills",
    )
    proposal = make_proposal(session, participant, place)
    return {"employer": employer, "user": user, "coach": coach, "place": place, "participant": participant, "proposal": proposal}


def test_inbox_lists_proposals_for_own_places_only(client, session, login_as, setup):
    other, _other_user = employer_with_user(session)
    other_place = draft_place(session, other, status="published", title="Andere job")
    make_proposal(session, setup["participant"], other_place)
    login_as(setup["user"])
    html = client.get("/werkgever/voorstellen").get_data(as_text=True)
    assert "Magazijnmedewerker" in html and "Andere job" not in html
    assert f"Kandidaat #{setup['participant'].id}" in html and "Fatima" not in html


def test_candidate_is_pseudonymous_without_limitations_or_contact_before_consent(client, session, login_as, setup):
    login_as(setup["user"])
    html = client.get(f"/werkgever/voorstellen/{setup['proposal'].id}").get_data(as_text=True)
    assert f"Kandidaat #{setup['participant'].id}" in html
    for secret in ("Fatima", "Benali", "fatima@example.be", "0470 12 34 56", "Rugklachten", "Extra uitleg", "Deelnemer", "VDAB", "doelgroep"):
        assert secret not in html, secret
    assert "heftruck rijden" in html and "Zelfstandig" in html  # skills with levels
    assert "30" in html and " km" in html  # hours and distance


def test_first_name_is_shown_when_the_participant_allows_it(client, session, login_as, setup):
    participant = setup["participant"]
    participant.consent_level = "skills_name"
    session.add(participant)
    session.commit()
    login_as(setup["user"])
    html = client.get(f"/werkgever/voorstellen/{setup['proposal'].id}").get_data(as_text=True)
    assert "Kandidaat Fatima" in html and "Benali" not in html and "fatima@example.be" not in html


def test_contact_data_appears_once_the_participant_agreed_to_the_proposal(client, session, login_as, setup):
    proposal = setup["proposal"]
    proposal.participant_consented_at = utcnow()
    proposal.state = "participant_agreed"
    session.add(proposal)
    session.commit()
    login_as(setup["user"])
    html = client.get(f"/werkgever/voorstellen/{proposal.id}").get_data(as_text=True)
    assert "fatima@example.be" in html and "0470 12 34 56" in html
    assert "Rugklachten" not in html and "Extra uitleg" not in html


def test_every_view_of_a_candidate_is_logged(client, session, login_as, setup):
    login_as(setup["user"])
    client.get(f"/werkgever/voorstellen/{setup['proposal'].id}")
    client.get(f"/werkgever/voorstellen/{setup['proposal'].id}")
    views = session.exec(select(ProfileView).where(ProfileView.participant_id == setup["participant"].id)).all()
    assert len(views) == 2
    assert {(v.viewer_id, v.employer_id, v.proposal_id) for v in views} == {(setup["user"].id, setup["employer"].id, setup["proposal"].id)}


def _events(session, proposal):
    return session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)).all()


def _notes(session, coach):
    return session.exec(select(Notification).where(Notification.user_id == coach.id)).all()


def test_interested_is_a_transition_with_an_event_and_a_notification(client, session, login_as, setup):
    login_as(setup["user"])
    response = client.post(f"/werkgever/voorstellen/{setup['proposal'].id}/antwoord/interested", data={"note": "Graag!"})
    assert response.status_code == 302
    session.refresh(setup["proposal"])
    assert setup["proposal"].state == "employer_interested"
    event = _events(session, setup["proposal"])[-1]
    assert (event.from_state, event.to_state, event.actor_id, event.note) == ("proposed", "employer_interested", setup["user"].id, "Graag!")
    note = _notes(session, setup["coach"])[0]
    assert note.kind == "proposal.employer_answered" and note.payload["answer"] == "interested"


def test_invite_for_an_intake_stores_the_offered_slots(client, session, login_as, setup):
    proposal = setup["proposal"]
    proposal.state, proposal.participant_consented_at = "employer_interested", datetime.now(UTC)
    session.add(proposal)
    session.commit()
    login_as(setup["user"])
    day = (datetime.now() + timedelta(days=5)).strftime("%Y-%m-%d")
    response = client.post(f"/werkgever/voorstellen/{proposal.id}/momenten",
                           data={"slot1_date": day, "slot1_start": "10:00", "slot1_end": "11:00",
                                 "slot2_date": day, "slot2_start": "14:30", "slot2_end": "15:00", "location": "Dok 1, Gent"})
    assert response.status_code == 302
    session.refresh(proposal)
    assert proposal.state == "employer_interested"  # intake_planned only once a slot is picked
    slots = session.exec(select(Meeting).where(Meeting.proposal_id == proposal.id).order_by(Meeting.starts_at)).all()
    assert [(m.status, m.location) for m in slots] == [("option", "Dok 1, Gent"), ("option", "Dok 1, Gent")]
    assert all(m.starts_at.tzinfo is not None and m.ends_at > m.starts_at for m in slots)
    assert _notes(session, setup["coach"])[0].kind == "meeting.options"


def test_intake_slots_must_be_given_and_in_the_future(client, session, login_as, setup):
    proposal = setup["proposal"]
    proposal.state, proposal.participant_consented_at = "employer_interested", datetime.now(UTC)
    session.add(proposal)
    session.commit()
    login_as(setup["user"])
    url = f"/werkgever/voorstellen/{proposal.id}/momenten"
    html = client.post(url, data={"slot1_date": "", "location": "Dok 1"}).get_data(as_text=True)
    assert "Stel minstens één moment voor." in html
    past = (datetime.now() - timedelta(days=2)).strftime("%Y-%m-%d")
    response = client.post(url, data={"slot1_date": past, "slot1_start": "10:00", "slot1_end": "11:00", "location": "Dok 1"})
    assert response.status_code == 422 and "Dit moment ligt in het verleden." in response.get_data(as_text=True)
    session.refresh(proposal)
    assert proposal.state == "employer_interested"
    assert session.exec(select(Meeting)).first() is None


def test_decline_needs_a_reason_from_the_list(client, session, login_as, setup):
    login_as(setup["user"])
    url = f"/werkgever/voorstellen/{setup['proposal'].id}/antwoord/decline"
    response = client.post(url, data={"reason": "", "note": "Geen plaats"})
    assert response.status_code == 422 and "Kies een reden." in response.get_data(as_text=True)
    assert client.post(url, data={"reason": "made_up"}).status_code == 422
    assert client.post(url, data={"reason": "schedule", "note": "Enkel nachtwerk"}).status_code == 302
    session.refresh(setup["proposal"])
    proposal = setup["proposal"]
    assert (proposal.state, proposal.decline_reason, proposal.decline_note, proposal.declined_by) == ("declined", "schedule", "Enkel nachtwerk", "employer")
    assert _notes(session, setup["coach"])[0].payload["reason"] == "schedule"


def test_an_answer_that_the_state_no_longer_allows_is_refused(client, session, login_as, setup):
    proposal = setup["proposal"]
    proposal.state = "withdrawn"
    session.add(proposal)
    session.commit()
    login_as(setup["user"])
    response = client.post(f"/werkgever/voorstellen/{proposal.id}/antwoord/interested", data={}, follow_redirects=True)
    assert "Dit antwoord kan niet meer" in response.get_data(as_text=True)
    session.refresh(proposal)
    assert proposal.state == "withdrawn" and _notes(session, setup["coach"]) == []


def test_intake_is_not_offered_before_anyone_agreed(client, session, login_as, setup):
    login_as(setup["user"])
    html = client.get(f"/werkgever/voorstellen/{setup['proposal'].id}").get_data(as_text=True)
    assert "antwoord/interested" in html and "antwoord/decline" in html and "/momenten" not in html
