"""Brokering between people: intake meetings with calendar invitations, the conversation per proposal,
notifications that name who and what and lead there, pipeline guards and the request's transaction."""
from __future__ import annotations

import email
from datetime import date, timedelta

import icalendar
import pytest
from sqlmodel import select

from tests.conftest import (
    login,
    make_employer,
    make_meeting,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import Meeting, Notification, OutboxEmail, Proposal, ProposalMessage, utcnow
from web.services import meetings as meeting_service
from web.services.proposals import ProposalError, TransitionError, create_proposal, transition_proposal

FUTURE = date.today() + timedelta(days=10)


@pytest.fixture
def world(session):
    """A coach with a participant (with a login) who said yes to a proposal of an employer's place."""
    coach = make_user(session, "coach", full_name="Coach Els", phone="09 123 45 67")
    employer_user = make_user(session, "employer", full_name="Werkgever Wim")
    employer = make_employer(session, employer_user, name="Logistiek Lauwers", street="Havenlaan 1")
    place = make_place(session, employer, title="Heftruckchauffeur")
    participant_user = make_user(session, "participant", full_name="Dana Peeters")
    participant = make_participant(session, coach, user=participant_user, first_name="Dana", last_name="Peeters",
                                   consent_level="skills_name", email="dana@example.be", phone="0470 11 22 33")
    proposal = make_proposal(session, participant, place, state="participant_agreed", participant_consented_at=utcnow(),
                             motivation="Dana rijdt vlot met de heftruck.")

    class W:
        pass

    w = W()
    w.coach, w.employer_user, w.employer, w.place = coach, employer_user, employer, place
    w.participant_user, w.participant, w.proposal = participant_user, participant, proposal
    return w


def _slots(day: date = FUTURE, **extra) -> dict:
    data = {"slot1_date": day.isoformat(), "slot1_start": "10:00", "slot1_end": "11:00",
            "slot2_date": (day + timedelta(days=1)).isoformat(), "slot2_start": "14:00", "slot2_end": "15:00",
            "location": "Havenlaan 1, 9000 Gent", "contact_person": "Sofie aan het onthaal", "note": "Breng je werkschoenen mee."}
    data.update(extra)
    return data


def _calendar_of(mail: OutboxEmail) -> icalendar.Calendar:
    assert mail.calendar, mail.subject
    return icalendar.Calendar.from_ical(mail.calendar)


def _event(cal: icalendar.Calendar) -> icalendar.Event:
    return next(iter(cal.walk("VEVENT")))


# --- intake meetings -------------------------------------------------------------------------------


def test_employer_offers_two_slots_and_the_coach_picks_one_with_invitations_for_all_three(client, session, world):
    login(client, world.employer_user.email)
    page = client.get(f"/werkgever/voorstellen/{world.proposal.id}").get_data(as_text=True)
    assert "Dana rijdt vlot met de heftruck." in page  # the coach's motivation
    assert "Coach Els" in page and "09 123 45 67" in page  # the coach's contact
    assert client.post(f"/werkgever/voorstellen/{world.proposal.id}/momenten", data=_slots()).status_code == 302
    options = session.exec(select(Meeting).where(Meeting.proposal_id == world.proposal.id).order_by(Meeting.starts_at)).all()
    assert [m.status for m in options] == ["option", "option"]
    session.refresh(world.proposal)
    assert world.proposal.state == "employer_interested"

    client.post("/auth/logout")
    login(client, world.coach.email)
    page = client.get(f"/coach/voorstellen/{world.proposal.id}").get_data(as_text=True)
    assert "Dit moment kiezen" in page and "Sofie aan het onthaal" in page
    assert client.post(f"/coach/afspraken/{options[0].id}/kiezen").status_code == 302
    session.expire_all()
    picked, other = (session.get(Meeting, m.id) for m in options)
    assert (picked.status, other.status) == ("confirmed", "declined")
    assert session.get(Proposal, world.proposal.id).state == "intake_planned"

    mails = session.exec(select(OutboxEmail).where(OutboxEmail.calendar.is_not(None))).all()
    assert {m.to_address for m in mails} == {world.coach.email, world.employer_user.email, world.participant_user.email}
    for mail in mails:
        cal = _calendar_of(mail)
        event = _event(cal)
        assert str(cal["METHOD"]) == "REQUEST" and mail.calendar_method == "REQUEST"
        assert str(event["UID"]) == picked.uid and int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == picked.starts_at and event.decoded("DTEND") == picked.ends_at
        assert str(event.decoded("DTSTART").tzinfo) == "Europe/Brussels" and event.decoded("DTSTART").hour == 10
        assert str(event["LOCATION"]) == "Havenlaan 1, 9000 Gent"
    coach_page = client.get(f"/coach/voorstellen/{world.proposal.id}").get_data(as_text=True)
    assert "Havenlaan 1, 9000 Gent" in coach_page and "10:00" in coach_page
    ics = client.get(f"/coach/afspraken/{picked.id}.ics")
    assert ics.status_code == 200 and "method=REQUEST" in ics.headers["Content-Type"]
    assert str(_event(icalendar.Calendar.from_ical(ics.data))["UID"]) == picked.uid


def test_participant_sees_date_time_and_address_and_can_pick_or_ask_other_times(client, session, world):
    first = make_meeting(session, world.proposal, status="option", days_ahead=5)
    second = make_meeting(session, world.proposal, status="option", days_ahead=6)
    login(client, world.participant_user.email)
    page = client.get("/deelnemer/traject").get_data(as_text=True)
    assert "Wanneer past het jou?" in page
    assert client.post(f"/deelnemer/voorstellen/{world.proposal.id}/andere-momenten").status_code == 302
    session.expire_all()
    assert {session.get(Meeting, first.id).status, session.get(Meeting, second.id).status} == {"declined"}
    employer_notes = session.exec(select(Notification).where(Notification.user_id == world.employer_user.id,
                                                             Notification.kind == "meeting.other_times")).all()
    assert len(employer_notes) == 1

    third = make_meeting(session, world.proposal, status="option", days_ahead=8, location="Dok Noord 3, 9000 Gent")
    assert client.post(f"/deelnemer/afspraken/{third.id}/kiezen").status_code == 302
    session.expire_all()
    assert session.get(Meeting, third.id).status == "confirmed"
    page = client.get("/deelnemer/traject").get_data(as_text=True)
    assert "Dok Noord 3, 9000 Gent" in page and "Vraag naar Sofie" in page
    assert "Zet het in je agenda" in page
    vacancy = client.get(f"/deelnemer/vacatures/{world.place.id}").get_data(as_text=True)
    assert "Dok Noord 3, 9000 Gent" in vacancy


def test_reschedule_keeps_the_uid_and_bumps_the_sequence_and_cancel_sends_a_cancellation(client, session, world):
    meeting = make_meeting(session, world.proposal, status="option", days_ahead=4)
    login(client, world.coach.email)
    client.post(f"/coach/afspraken/{meeting.id}/kiezen")
    client.post("/auth/logout")
    login(client, world.employer_user.email)
    new_day = date.today() + timedelta(days=12)
    response = client.post(f"/werkgever/afspraken/{meeting.id}/verplaatsen",
                           data={"new_date": new_day.isoformat(), "new_start": "09:30", "new_end": "10:15", "reason": "Ziekte van de mentor"})
    assert response.status_code == 302
    session.expire_all()
    moved = session.get(Meeting, meeting.id)
    assert moved.sequence == 1 and moved.uid == meeting.uid and moved.change_reason == "Ziekte van de mentor"
    latest = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == world.participant_user.email, OutboxEmail.calendar.is_not(None))
                          .order_by(OutboxEmail.id.desc())).first()
    event = _event(_calendar_of(latest))
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == meeting.uid
    assert event.decoded("DTSTART").date() == new_day and event.decoded("DTSTART").hour == 9 and event.decoded("DTSTART").minute == 30
    assert "Ziekte van de mentor" in client.get(f"/werkgever/voorstellen/{world.proposal.id}").get_data(as_text=True)

    assert client.post(f"/werkgever/afspraken/{meeting.id}/annuleren", data={"reason": ""}).status_code == 422
    assert client.post(f"/werkgever/afspraken/{meeting.id}/annuleren", data={"reason": "Plaats ingevuld"}).status_code == 302
    session.expire_all()
    cancelled = session.get(Meeting, meeting.id)
    assert cancelled.status == "cancelled" and cancelled.sequence == 2
    assert session.get(Proposal, world.proposal.id).state == "employer_interested"  # new slots can be offered
    latest = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == world.coach.email).order_by(OutboxEmail.id.desc())).first()
    cal = _calendar_of(latest)
    assert str(cal["METHOD"]) == "CANCEL" and str(_event(cal)["STATUS"]) == "CANCELLED" and int(_event(cal)["SEQUENCE"]) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slot1_end": "09:00"}, "Het einde moet na het begin liggen."),
        ({"slot1_date": (date.today() - timedelta(days=2)).isoformat()}, "Dit moment ligt in het verleden."),
        ({"slot1_date": "9999-12-31"}, "Kies een moment binnen het jaar."),
        ({"slot1_date": "31-31-2027"}, "Vul een geldige datum in."),
        ({"location": ""}, "Vul een adres of videolink in."),
        ({"note": "<script>alert(1)</script>"}, "Gebruik geen HTML-code"),
        ({"note": "x" * 10_000}, "Maximaal 1000 tekens."),
        ({"slot1_start": "", "slot1_end": ""}, "Vul ook dit in."),
    ],
)
def test_bad_slots_give_a_clear_message_and_keep_the_form(client, session, world, changes, message):
    login(client, world.employer_user.email)
    response = client.post(f"/werkgever/voorstellen/{world.proposal.id}/momenten", data=_slots(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "Havenlaan 1, 9000 Gent" in html or changes.get("location") == ""  # the typed values stay
    assert session.exec(select(Meeting)).first() is None


def test_english_slot_errors(client, session, world):
    world.employer_user.language = "en"
    session.add(world.employer_user)
    session.commit()
    login(client, world.employer_user.email)
    response = client.post(f"/werkgever/voorstellen/{world.proposal.id}/momenten", data=_slots(slot1_end="09:00"),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "The end must be after the start." in response.get_data(as_text=True)


def test_outcome_only_after_the_meeting_and_not_retained_declines(client, session, world):
    meeting = make_meeting(session, world.proposal, status="confirmed", days_ahead=2)
    world.proposal.state = "intake_planned"
    session.add(world.proposal)
    session.commit()
    login(client, world.employer_user.email)
    assert client.post(f"/werkgever/afspraken/{meeting.id}/verloop", data={"outcome": "continue"}).status_code == 422
    meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    session.add(meeting)
    session.commit()
    assert client.post(f"/werkgever/afspraken/{meeting.id}/verloop", data={"outcome": "not_retained"}).status_code == 422  # reason needed
    assert client.post(f"/werkgever/afspraken/{meeting.id}/verloop",
                       data={"outcome": "not_retained", "reason": "schedule", "note": "Avondwerk lukt niet"}).status_code == 302
    session.expire_all()
    proposal = session.get(Proposal, world.proposal.id)
    assert proposal.state == "declined" and proposal.declined_by == "employer" and proposal.decline_reason == "schedule"
    assert session.get(Meeting, meeting.id).outcome == "not_retained"
    note = session.exec(select(Notification).where(Notification.user_id == world.coach.id, Notification.kind == "meeting.outcome")).one()
    assert note.endpoint == "coach.proposal_detail"


def test_continue_then_stage_agreed_needs_dates(client, session, world):
    meeting = make_meeting(session, world.proposal, status="confirmed", days_ahead=-1)
    world.proposal.state = "intake_planned"
    session.add(world.proposal)
    session.commit()
    login(client, world.employer_user.email)
    assert client.post(f"/werkgever/afspraken/{meeting.id}/verloop", data={"outcome": "continue"}).status_code == 302
    client.post("/auth/logout")
    login(client, world.coach.email)
    page = client.get(f"/coach/voorstellen/{world.proposal.id}").get_data(as_text=True)
    assert "De werkgever wil verder" in page
    response = client.post(f"/coach/voorstellen/{world.proposal.id}/status", data={"to_state": "stage_agreed"})
    assert response.status_code == 422 and "Vul de begin- en einddatum van de stage in." in response.get_data(as_text=True)
    start = date.today() + timedelta(days=7)
    response = client.post(f"/coach/voorstellen/{world.proposal.id}/status",
                           data={"to_state": "stage_agreed", "stage_start": start.isoformat(), "stage_end": (start - timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "De einddatum moet na de begindatum liggen." in response.get_data(as_text=True)
    assert session.get(Proposal, world.proposal.id).state == "intake_planned"
    client.post(f"/coach/voorstellen/{world.proposal.id}/status",
                data={"to_state": "stage_agreed", "stage_start": start.isoformat(), "stage_end": (start + timedelta(days=56)).isoformat()})
    session.expire_all()
    proposal = session.get(Proposal, world.proposal.id)
    assert proposal.state == "stage_agreed" and proposal.stage_start == start


def test_day_before_reminder_reaches_all_three_once(app, session, world):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlmodel import Session

    brussels = ZoneInfo("Europe/Brussels")
    now = datetime.combine(date.today() + timedelta(days=30), datetime.min.time(), tzinfo=brussels).replace(hour=9).astimezone(UTC)
    tomorrow = (now + timedelta(days=1)).astimezone(brussels).replace(hour=14, minute=0)
    meeting = make_meeting(session, world.proposal, status="confirmed", days_ahead=1)
    meeting.starts_at, meeting.ends_at = tomorrow.astimezone(UTC), (tomorrow + timedelta(hours=1)).astimezone(UTC)
    session.add(meeting)
    make_meeting(session, make_proposal(session, make_participant(session, world.coach), world.place), status="confirmed", days_ahead=40)
    session.commit()
    with app.test_request_context():
        for _ in range(2):
            with Session(app.extensions["db_engine"]) as db:
                meeting_service.remind_tomorrow(session=db, now=now)
                db.commit()
    notes = session.exec(select(Notification).where(Notification.kind == "meeting.tomorrow")).all()
    assert sorted(n.user_id for n in notes) == sorted([world.coach.id, world.employer_user.id, world.participant_user.id])


# --- conversation and internal notes ------------------------------------------------------------------


def test_coach_and_employer_talk_and_the_participant_never_sees_it(client, session, world):
    login(client, world.coach.email)
    assert client.post(f"/coach/voorstellen/{world.proposal.id}/berichten", data={"body": ""}).status_code == 422
    too_long = client.post(f"/coach/voorstellen/{world.proposal.id}/berichten", data={"body": "x" * 10_000})
    assert too_long.status_code == 422 and "x" * 100 in too_long.get_data(as_text=True)  # the text stays in the form
    assert client.post(f"/coach/voorstellen/{world.proposal.id}/berichten", data={"body": "Kan ze maandag starten?"}).status_code == 302
    note = session.exec(select(Notification).where(Notification.user_id == world.employer_user.id, Notification.kind == "message.new")).one()
    client.post("/auth/logout")
    login(client, world.employer_user.email)
    listing = client.get("/meldingen/").get_data(as_text=True)
    assert "Heftruckchauffeur" in listing and "Dana" in listing  # names who and what (Dana gave consent for her name)
    opened = client.post(f"/meldingen/{note.id}/gelezen", data={"open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/werkgever/voorstellen/{world.proposal.id}#gesprek")
    page = client.get(f"/werkgever/voorstellen/{world.proposal.id}").get_data(as_text=True)
    assert "Kan ze maandag starten?" in page
    assert session.exec(select(ProposalMessage)).one().read_at is not None
    assert client.post(f"/werkgever/voorstellen/{world.proposal.id}/berichten", data={"body": "Ja, om 8 uur."}).status_code == 302
    coach_note = session.exec(select(Notification).where(Notification.user_id == world.coach.id, Notification.kind == "message.new")).one()
    assert coach_note.endpoint == "coach.proposal_detail"
    client.post("/auth/logout")
    login(client, world.participant_user.email)
    for path in ("/deelnemer/traject", f"/deelnemer/vacatures/{world.place.id}", "/deelnemer/"):
        html = client.get(path).get_data(as_text=True)
        assert "Kan ze maandag starten?" not in html and "Ja, om 8 uur." not in html


def test_an_internal_decline_note_never_reaches_the_employer(client, session, world):
    secret = "rugklachten volgens de huisarts"
    login(client, world.coach.email)
    client.post(f"/coach/voorstellen/{world.proposal.id}/status", data={"to_state": "declined", "reason": "other", "note": secret})
    proposal = session.get(Proposal, world.proposal.id)
    session.refresh(proposal)
    assert proposal.state == "declined" and proposal.decline_note is None
    client.post("/auth/logout")
    login(client, world.employer_user.email)
    pages = [f"/werkgever/voorstellen/{world.proposal.id}", "/werkgever/voorstellen", "/werkgever/", "/meldingen/",
             f"/werkgever/plaatsen/{world.place.id}", f"/werkgever/plaatsen/{world.place.id}/fiche"]
    for path in pages:
        assert secret not in client.get(path).get_data(as_text=True), path
    pdf = client.get(f"/werkgever/plaatsen/{world.place.id}/fiche.pdf")
    assert pdf.status_code == 200 and secret.encode() not in pdf.data
    for mail in session.exec(select(OutboxEmail).where(OutboxEmail.to_address == world.employer_user.email)).all():
        assert secret not in mail.body_text and secret not in mail.subject
    for note in session.exec(select(Notification).where(Notification.user_id == world.employer_user.id)).all():
        assert secret not in str(note.payload)


# --- notifications ------------------------------------------------------------------------------------


def test_every_notification_kind_names_who_and_what_and_its_link_opens_the_right_page(app, client, session, world):
    """Walk the loop so that every kind is sent, then open each notification as its recipient."""
    from sqlmodel import Session

    from web.services import conversation, employers

    with app.test_request_context():
        with Session(app.extensions["db_engine"], expire_on_commit=False) as db:
            coach, employer_user, participant_user = (db.get(type(u), u.id) for u in (world.coach, world.employer_user, world.participant_user))
            other = create_proposal(session=db, participant_id=world.participant.id, place_id=make_place(db, world.employer).id, coach=coach,
                                    motivation="Past goed.")
            transition_proposal(session=db, proposal=other, to_state="participant_agreed", actor=coach, actor_role="coach")
            employers.answer_proposal(session=db, proposal=other, actor=employer_user, answer="interested")
            proposal = db.get(Proposal, world.proposal.id)
            slot = meeting_service.Slot(utcnow() + timedelta(days=3), utcnow() + timedelta(days=3, hours=1))
            [option] = meeting_service.offer_slots(session=db, proposal=proposal, actor=employer_user, slots=[slot], location="Havenlaan 1")
            meeting_service.pick_slot(session=db, meeting=option, actor=participant_user)
            later = meeting_service.Slot(utcnow() + timedelta(days=5), utcnow() + timedelta(days=5, hours=1))
            meeting_service.reschedule(session=db, meeting=option, actor=employer_user, slot=later, reason="Ander uur")
            conversation.post_message(session=db, proposal=proposal, author=coach, body="Hallo")
            conversation.post_message(session=db, proposal=proposal, author=employer_user, body="Dag")
            meeting_service.cancel(session=db, meeting=option, actor=coach, reason="Ziek")
            db.commit()
    kinds = {n.kind for n in session.exec(select(Notification)).all()}
    assert {"proposal.created", "proposal.participant_agreed", "proposal.employer_answered", "meeting.options", "meeting.confirmed",
            "meeting.moved", "meeting.cancelled", "message.new"} <= kinds
    expected_page = {"coach": "/coach/voorstellen/", "employer": "/werkgever/voorstellen/", "participant": "/deelnemer/"}
    for user in (world.coach, world.employer_user, world.participant_user):
        client.post("/auth/logout")
        login(client, user.email)
        notes = session.exec(select(Notification).where(Notification.user_id == user.id)).all()
        assert notes
        listing = client.get("/meldingen/").get_data(as_text=True)
        assert "Heftruckchauffeur" in listing
        if user.role == "coach":
            assert "Dana Peeters" in listing and "Logistiek Lauwers" in listing
        for note in notes:
            assert note.endpoint, note.kind
            opened = client.post(f"/meldingen/{note.id}/gelezen", data={"open": "1"})
            location = opened.headers["Location"]
            assert expected_page[user.role] in location, (note.kind, location)
            target = client.get(location.split("#")[0])
            assert target.status_code == 200, (note.kind, location)


def test_notification_list_pages_by_twenty_and_marks_all_read(client, session):
    user = make_user(session, "coach")
    for i in range(45):
        session.add(Notification(user_id=user.id, kind="message.new", payload={"place_title": f"Plaats {i}"},
                                 endpoint="coach.dashboard", endpoint_args={}))
    session.commit()
    login(client, user.email)
    first = client.get("/meldingen/").get_data(as_text=True)
    assert first.count('data-testid="notification"') == 20 and "Pagina 1 van 3" in first
    last = client.get("/meldingen/?pagina=3").get_data(as_text=True)
    assert last.count('data-testid="notification"') == 5
    assert "Pagina 1 van 3" in client.get("/meldingen/?pagina=99999999999999999999").get_data(as_text=True) or \
        client.get("/meldingen/?pagina=99999999999999999999").status_code == 200
    assert client.get("/meldingen/?pagina=abc").status_code == 200
    client.post("/meldingen/alles-gelezen")
    assert all(n.read_at is not None for n in session.exec(select(Notification)).all())


# --- guards and the transaction ------------------------------------------------------------------------


def test_one_open_proposal_per_participant_and_place_is_enforced_by_the_database(session, world):
    with pytest.raises(ProposalError):
        create_proposal(session=session, participant_id=world.participant.id, place_id=world.place.id, coach=world.coach)
    session.rollback()
    world.proposal.state = "declined"
    session.add(world.proposal)
    session.commit()
    again = create_proposal(session=session, participant_id=world.participant.id, place_id=world.place.id, coach=world.coach)
    assert again.id != world.proposal.id


def test_no_step_forward_on_a_closed_place(session, world):
    world.place.status = "closed"
    session.add(world.place)
    session.commit()
    with pytest.raises(TransitionError) as error:
        transition_proposal(session=session, proposal=world.proposal, to_state="employer_interested", actor=world.employer_user,
                            actor_role="employer")
    assert error.value.code == "place_unavailable"
    transition_proposal(session=session, proposal=world.proposal, to_state="withdrawn", actor=world.coach, actor_role="coach")
    assert world.proposal.state == "withdrawn"


def test_propose_confirmation_names_the_employer_and_needs_a_motivation(client, session):
    coach = make_user(session, "coach")
    place = make_place(session, make_employer(session, name="Bakkerij Boon"), title="Hulpbakker")
    person = make_participant(session, coach)
    login(client, coach.email)
    page = client.get(f"/coach/deelnemers/{person.id}/voorstel/{place.id}").get_data(as_text=True)
    assert "Bakkerij Boon" in page and "De werkgever ziet dit." in page
    response = client.post(f"/coach/deelnemers/{person.id}/voorstel/{place.id}", data={"motivation": "<b>x</b>"})
    assert response.status_code == 422 and session.exec(select(Proposal)).first() is None


def test_a_view_that_flushes_and_then_aborts_leaves_nothing(app, client, session):
    from flask import abort

    from web.db import get_session

    coach = make_user(session, "coach", full_name="Voor")

    def flush_then_abort():
        db = get_session()
        user = db.get(type(coach), coach.id)
        user.full_name = "Na"
        db.add(user)
        db.flush()
        abort(404)

    app.add_url_rule("/_test/flush-then-abort", "flush_then_abort", flush_then_abort)
    assert client.get("/_test/flush-then-abort").status_code == 404
    session.expire_all()
    assert session.get(type(coach), coach.id).full_name == "Voor"


# --- e-mail through a real SMTP server ----------------------------------------------------------------


def test_invitation_mail_goes_through_smtp_with_a_calendar_part_in_the_recipients_language(app, session, world):
    aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Message as MessageHandler

    received = []

    class Collect(MessageHandler):
        def handle_message(self, message):
            received.append(message)

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd_controller.Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        world.employer_user.language = "en"
        session.add(world.employer_user)
        session.commit()
        meeting = make_meeting(session, world.proposal, status="option", days_ahead=6)
        from sqlmodel import Session

        from web.services.mail import deliver_outbox

        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                          MAIL_USE_TLS=False, MAIL_USERNAME=None)
        with app.test_request_context():
            with Session(app.extensions["db_engine"]) as db:
                meeting_service.pick_slot(session=db, meeting=db.get(Meeting, meeting.id), actor=db.get(type(world.coach), world.coach.id))
                db.commit()
            with Session(app.extensions["db_engine"]) as db:
                assert deliver_outbox(session=db, app=app) >= 3
                db.commit()
    finally:
        controller.stop()
    by_recipient = {m["To"]: m for m in received}
    english = by_recipient[world.employer_user.email]
    dutch = by_recipient[world.coach.email]
    assert "Intake meeting confirmed" in english["Subject"] and "Kennismaking vastgelegd" in dutch["Subject"]
    parsed = email.message_from_string(english.as_string())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert parts and parts[0].get_param("method") == "REQUEST"
    cal = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
    assert str(_event(cal)["UID"]) == meeting.uid
