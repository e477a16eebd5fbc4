"""Issue 14, point 5: one anonymisation service for erasure and retention; after it, no table and no e-mail in the
outbox holds the participant's name, e-mail address, phone number or any of their free texts."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlmodel import SQLModel, select

from tests.conftest import (
    TEST_PASSWORD,
    login,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import (
    Evaluation,
    HoldPeriod,
    LoginAttempt,
    MatchSuggestion,
    Notification,
    OneTimeToken,
    OutboxEmail,
    Participant,
    ParticipantNote,
    PhasePeriod,
    PlaceAnswer,
    ProfileView,
    ProposalEvent,
    Trajectory,
    User,
    utcnow,
)

FIRST, LAST = "Xaveria", "Quintelier"
EMAIL, PHONE = "xaveria.quintelier@example.be", "0499 12 34 56"
FREE_TEXTS = {
    "limitations": "GEHEIM-BEPERKING-RUG", "support_needs": "GEHEIM-ONDERSTEUNING", "goals": "GEHEIM-DOEL-HEFTRUCK",
    "note": "GEHEIM-NOTITIE-COACH", "attendees": "GEHEIM-AANWEZIGEN", "summary": "GEHEIM-SAMENVATTING", "motivation": "GEHEIM-MOTIVATIE",
    "decline_note": "GEHEIM-WEIGERING", "event_note": "GEHEIM-EVENT", "event_data": "GEHEIM-EVENTDATA", "phase_reason": "GEHEIM-FASEREDEN",
    "hold_reason": "GEHEIM-PAUZE", "skill": "GEHEIM-VAARDIGHEID-LASSEN", "explanation": "GEHEIM-UITLEG",
}
SECRETS = (f"{FIRST} {LAST}", FIRST, LAST, EMAIL, PHONE, *FREE_TEXTS.values())


def _load_participant(app, session):
    """A participant with data in every table that can hold some: profile, login, skills, notes, evaluation,
    proposal with events and intake options, phases with a hold, suggestion, answer, profile view, tokens,
    login attempts, e-mails to them, and a coach reminder (payload and e-mail) that names them."""
    coach = make_user(session, "coach", full_name="Coach Karel")
    account = make_user(session, "participant", email=EMAIL, full_name=f"{FIRST} {LAST}")
    employer_user = make_user(session, "employer")
    employer = make_employer(session, employer_user)
    place = make_place(session, employer, title="Lasser")
    participant = make_participant(
        session, coach, skills=((FREE_TEXTS["skill"], 3),), user=account, first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE,
        limitations=FREE_TEXTS["limitations"], support_needs=FREE_TEXTS["support_needs"], goals=FREE_TEXTS["goals"],
        preferred_sectors=["bouw"], consent_level="skills_name",
    )
    session.add(ParticipantNote(participant_id=participant.id, author_id=coach.id, body=f"{FREE_TEXTS['note']} over {FIRST}"))
    session.add(Evaluation(participant_id=participant.id, coach_id=coach.id, held_on=date(2025, 1, 1), attendees=FREE_TEXTS["attendees"],
                           summary=FREE_TEXTS["summary"], decision="ready",
                           scores={"motivatie": {"score": 3, "motivation": FREE_TEXTS["motivation"]}}))
    proposal = make_proposal(session, participant, place, state="declined", decline_note=FREE_TEXTS["decline_note"], declined_by="coach",
                             intake_options=["2026-01-05T10:00:00+00:00"], participant_consented_at=utcnow())
    session.add(ProposalEvent(proposal_id=proposal.id, from_state="proposed", to_state="declined", actor_id=coach.id,
                              note=FREE_TEXTS["event_note"], data={"text": FREE_TEXTS["event_data"]}))
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id)).one()
    period = session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id)).one()
    period.reason = FREE_TEXTS["phase_reason"]
    session.add(period)
    session.add(HoldPeriod(phase_period_id=period.id, started_on=date(2025, 2, 1), ended_on=date(2025, 2, 10), reason=FREE_TEXTS["hold_reason"]))
    session.add(MatchSuggestion(participant_id=participant.id, place_id=place.id, score=70, engine_version="t",
                                explanation={"skills": [FREE_TEXTS["skill"]], "text": FREE_TEXTS["explanation"]}))
    session.add(PlaceAnswer(participant_id=participant.id, place_id=place.id, answer="interested", answered_by_id=account.id))
    session.add(ProfileView(participant_id=participant.id, viewer_id=employer_user.id, employer_id=employer.id, proposal_id=proposal.id))
    session.add(OneTimeToken(user_id=account.id, purpose="reset", token_hash="b" * 64, expires_at=utcnow() + timedelta(hours=1)))
    session.add(LoginAttempt(email=EMAIL, ip="198.51.100.5", success=False))
    session.add(OutboxEmail(to_address=EMAIL, subject="Uitnodiging", body_text=f"Dag {FIRST} {LAST}, ...", sent_at=utcnow()))
    session.add(OutboxEmail(to_address=EMAIL, subject="Nog niet verstuurd", body_text=f"Dag {FIRST}"))
    session.commit()
    # the real reminder job: its e-mail to the coach carries the participant's name; the payload only their id
    # (names are resolved when the notification is shown)
    from web.services.reminders import remind_phase_deadlines

    with app.test_request_context():
        assert remind_phase_deadlines(session=session, today=period.due_on - timedelta(days=3)) == 1
        session.commit()
    note = session.exec(select(Notification).where(Notification.user_id == coach.id)).one()
    assert f"{FIRST} {LAST}" not in str(note.payload) and note.payload["participant_id"] == participant.id
    assert any(f"{FIRST} {LAST}" in m.body_text for m in session.exec(select(OutboxEmail).where(OutboxEmail.to_address == coach.email)))
    return {"participant": participant, "coach": coach, "account": account, "trajectory": trajectory, "place": place, "proposal": proposal}


def _scan(app) -> list[tuple[str, str]]:
    """Every (table, secret) for which a row of the table still contains the secret."""
    found = []
    with app.extensions["db_engine"].connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            text = "\n".join(repr(tuple(row)) for row in conn.execute(table.select()).all())
            found += [(table.name, secret) for secret in SECRETS if secret.lower() in text.lower()]
    return found


def _erase_through_the_app(app, world):
    participant_client = app.test_client()
    login(participant_client, EMAIL, TEST_PASSWORD)
    assert participant_client.post("/deelnemer/gegevens/wissen", data={"confirm": "y"}).status_code == 302
    coach_client = app.test_client()
    login(coach_client, world["coach"].email, TEST_PASSWORD)
    assert coach_client.post(f"/deelnemer/coach/{world['participant'].id}/wissen").status_code == 302
    return participant_client


def _purge_through_retention(app, session, world):
    from web.services.retention import purge_expired_data

    trajectory = session.get(Trajectory, world["trajectory"].id)
    trajectory.ended_on = date.today() - timedelta(days=800)
    trajectory.outcome = "hired"
    session.add(trajectory)
    session.commit()
    assert purge_expired_data(session=session)["anonymised"] == 1
    session.commit()


@pytest.mark.parametrize("path", ["erasure", "retention"])
def test_no_table_and_no_e_mail_keeps_anything_of_an_anonymised_participant(app, session, path):
    world = _load_participant(app, session)
    assert {s for _t, s in _scan(app)} == set(SECRETS)  # the scan sees every secret before
    if path == "erasure":
        _erase_through_the_app(app, world)
    else:
        _purge_through_retention(app, session, world)
    assert _scan(app) == []
    session.expire_all()
    participant = session.get(Participant, world["participant"].id)
    assert participant.anonymised_at is not None and participant.preferred_sectors is None
    # the figures stay: trajectory, proposal state, evaluation decision
    assert session.get(Trajectory, world["trajectory"].id).outcome in (None, "hired")
    assert session.exec(select(Evaluation.decision).where(Evaluation.participant_id == participant.id)).one() == "ready"
    assert world["proposal"].state == "declined"
    # the coach's reminder still reads, without the name
    note = session.exec(select(Notification).where(Notification.user_id == world["coach"].id, Notification.kind.like("reminder.%"))).one()
    assert "participant" not in note.payload
    from web.services.notifications import Names, render_notification

    with app.test_request_context():
        title, body = render_notification(note.kind, note.payload, names=Names.load(session, [note.payload]), role="coach")
    assert FIRST not in title + body and LAST not in title + body and "gewiste deelnemer" in title + body


def test_the_erased_login_has_no_session_left(app, session):
    world = _load_participant(app, session)
    client = _erase_through_the_app(app, world)
    assert client.get("/deelnemer/").status_code == 302
    account = session.get(User, world["account"].id)
    session.refresh(account)
    assert not account.is_active and account.password_hash is None and account.session_fingerprint() is None
    with client.session_transaction() as cookie:
        cookie["_login_at"] = int(time.time())
    assert client.get("/deelnemer/").status_code == 302


def test_erasure_and_retention_use_the_same_service():
    from web.services import anonymisation, privacy, retention

    assert privacy.anonymise_participant is anonymisation.anonymise_participant
    assert retention.anonymise_participant is anonymisation.anonymise_participant
