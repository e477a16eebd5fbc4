"""From a proposal to an agreed stage, between three people in three browsers on a phone (360 px), in Dutch and
in English: propose with a motivation, invite with two slots, pick one, see it on the phone, an invitation that
parses, a move with a new SEQUENCE, two messages with notifications that open the conversation, how it went, and
the stage agreed only with dates."""
from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from sqlmodel import select

from tests.browser.conftest import ui_login
from tests.conftest import TEST_PASSWORD, make_employer, make_participant, make_place, make_user
from web.models import MatchSuggestion, Meeting, OutboxEmail, Proposal, utcnow

TEXT = {
    "nl": {"propose": "Voorstellen", "send": "Voorstel versturen", "yes": "Ik wil dit", "invite": "Uitnodiging versturen",
           "pick": "Dit moment kiezen", "move": "Gesprek verplaatsen", "move_button": "Verplaatsen", "send_message": "Bericht versturen",
           "open": "Openen", "save": "Bewaren", "stage": "Zet op: Stage afgesproken", "dates_needed": "Vul de begin- en einddatum van de stage in."},
    "en": {"propose": "Propose", "send": "Send proposal", "yes": "I want this", "invite": "Send invitation",
           "pick": "Pick this time", "move": "Move the meeting", "move_button": "Move", "send_message": "Send message",
           "open": "Open", "save": "Save", "stage": "Set to: Internship agreed", "dates_needed": "Fill in the start and end date of the internship."},
}


def _event(text: str) -> icalendar.Event:
    return next(iter(icalendar.Calendar.from_ical(text).walk("VEVENT")))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_proposal_reaches_an_agreed_stage_on_a_phone(live_server, browser_page, shot, lang):
    t = TEXT[lang]
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Coach Els", phone="09 123 45 67", language=lang)
        employer_user = make_user(db, "employer", full_name="Wim Lauwers", language=lang)
        employer = make_employer(db, employer_user, name="Logistiek Lauwers", street="Havenlaan 1")
        place = make_place(db, employer, title="Heftruckchauffeur")
        participant_user = make_user(db, "participant", full_name="Dana Peeters", language=lang)
        participant = make_participant(db, coach, user=participant_user, first_name="Dana", last_name="Peeters", consent_level="skills_name")
        db.add(MatchSuggestion(participant_id=participant.id, place_id=place.id, score=82, engine_version="t",
                               explanation={"matched": [{"requirement": "heftruck rijden", "skill": "heftruck", "level": 3, "min_level": 2,
                                                         "required": True}], "missing": []}))
        db.commit()
        ids = {"participant": participant.id, "place": place.id}
        emails = {"coach": coach.email, "employer": employer_user.email, "participant": participant_user.email}
    base = live_server.url
    coach_page = browser_page(width=360, height=740)
    employer_page = browser_page(width=360, height=740)
    participant_page = browser_page(width=360, height=740)
    ui_login(coach_page, base, emails["coach"], TEST_PASSWORD)
    ui_login(employer_page, base, emails["employer"], TEST_PASSWORD)
    ui_login(participant_page, base, emails["participant"], TEST_PASSWORD)

    # the coach proposes with a motivation, through the confirmation step
    coach_page.goto(f"{base}/coach/deelnemers/{ids['participant']}/plaatsen")
    assert "Logistiek Lauwers" in coach_page.inner_text("[data-testid=matches]")
    coach_page.get_by_test_id("propose").click()
    coach_page.fill("#motivation", "Dana rijdt al drie jaar vlot met de heftruck.")
    shot(coach_page, f"brokering-{lang}-360-coach-propose")
    coach_page.get_by_role("button", name=t["send"]).click()
    coach_page.wait_for_load_state("networkidle")
    assert "/coach/voorstellen/" in coach_page.url

    # the participant says yes on the phone
    participant_page.goto(f"{base}/deelnemer/vacatures/{ids['place']}")
    participant_page.get_by_role("button", name=t["yes"]).click()
    participant_page.wait_for_load_state("networkidle")

    # the employer reads the motivation and the fit, and invites with two slots
    with live_server.session() as db:
        proposal_id = db.exec(select(Proposal.id)).one()
    employer_page.goto(f"{base}/werkgever/voorstellen/{proposal_id}")
    assert "Dana rijdt al drie jaar vlot met de heftruck." in employer_page.inner_text("[data-testid=motivation]")
    assert "heftruck rijden" in employer_page.inner_text("[data-testid=fit]")
    assert "09 123 45 67" in employer_page.inner_text("[data-testid=coach-contact]")
    day = date.today() + timedelta(days=9)
    employer_page.fill("#slot1_date", day.isoformat())
    employer_page.fill("#slot1_start", "10:00")
    employer_page.fill("#slot1_end", "11:00")
    employer_page.fill("#slot2_date", (day + timedelta(days=1)).isoformat())
    employer_page.fill("#slot2_start", "14:00")
    employer_page.fill("#slot2_end", "15:00")
    employer_page.fill("#location", "Havenlaan 1, 9000 Gent")
    employer_page.fill("#contact_person", "Sofie")
    shot(employer_page, f"brokering-{lang}-360-employer-invite")
    employer_page.get_by_role("button", name=t["invite"]).click()
    employer_page.wait_for_load_state("networkidle")

    # the coach picks the first slot
    coach_page.reload()
    coach_page.get_by_role("button", name=t["pick"]).first.click()
    coach_page.wait_for_load_state("networkidle")
    assert "Havenlaan 1, 9000 Gent" in coach_page.inner_text("[data-testid=meeting]")

    # the participant sees date, time and address on the phone
    participant_page.goto(f"{base}/deelnemer/traject")
    meeting_text = participant_page.inner_text("[data-testid=meeting]")
    assert "10:00" in meeting_text and "Havenlaan 1, 9000 Gent" in meeting_text and str(day.day) in meeting_text
    shot(participant_page, f"brokering-{lang}-360-participant-meeting")

    # the confirmation e-mail carries an invitation with the right start, end, location and UID
    with live_server.session() as db:
        meeting = db.exec(select(Meeting).where(Meeting.status == "confirmed")).one()
        mail = db.exec(select(OutboxEmail).where(OutboxEmail.to_address == emails["participant"], OutboxEmail.calendar.is_not(None))).one()
    event = _event(mail.calendar)
    assert event.decoded("DTSTART") == meeting.starts_at and event.decoded("DTEND") == meeting.ends_at
    assert str(event["LOCATION"]) == "Havenlaan 1, 9000 Gent" and str(event["UID"]) == meeting.uid

    # the employer moves it; everyone sees the new time and gets an invitation one SEQUENCE up
    employer_page.reload()
    employer_page.get_by_text(t["move"]).click()
    employer_page.fill("#new_date", (day + timedelta(days=2)).isoformat())
    employer_page.fill("#new_start", "13:30")
    employer_page.fill("#new_end", "14:30")
    employer_page.fill("#reason", "De mentor is die dag weg.")
    employer_page.get_by_role("button", name=t["move_button"], exact=True).click()
    employer_page.wait_for_load_state("networkidle")
    for page, path in ((participant_page, "/deelnemer/traject"), (coach_page, f"/coach/voorstellen/{proposal_id}"),
                       (employer_page, f"/werkgever/voorstellen/{proposal_id}")):
        page.goto(base + path)
        assert "13:30" in page.inner_text("[data-testid=meeting]"), path
    with live_server.session() as db:
        mails = db.exec(select(OutboxEmail).where(OutboxEmail.to_address == emails["coach"], OutboxEmail.calendar.is_not(None))
                        .order_by(OutboxEmail.id)).all()
    assert [int(_event(m.calendar)["SEQUENCE"]) for m in mails] == [0, 1]
    assert {str(_event(m.calendar)["UID"]) for m in mails} == {meeting.uid}

    # coach and employer exchange two messages; each notification opens the conversation
    coach_page.fill("#body", "Kan Dana haar werkschoenen meebrengen?")
    coach_page.get_by_role("button", name=t["send_message"]).click()
    coach_page.wait_for_load_state("networkidle")
    employer_page.goto(f"{base}/meldingen/")
    employer_page.locator("[data-kind='message.new']").get_by_role("button", name=t["open"]).click()
    employer_page.wait_for_load_state("networkidle")
    assert employer_page.url.endswith("#gesprek")
    assert "werkschoenen" in employer_page.inner_text("[data-testid=messages]")
    employer_page.fill("#body", "Ja graag, maat 39 is hier ook.")
    employer_page.get_by_role("button", name=t["send_message"]).click()
    employer_page.wait_for_load_state("networkidle")
    coach_page.goto(f"{base}/meldingen/")
    coach_page.locator("[data-kind='message.new']").get_by_role("button", name=t["open"]).click()
    coach_page.wait_for_load_state("networkidle")
    assert coach_page.url.endswith("#gesprek") and "maat 39" in coach_page.inner_text("[data-testid=messages]")
    shot(coach_page, f"brokering-{lang}-360-coach-proposal")
    participant_page.goto(f"{base}/deelnemer/traject")
    assert "werkschoenen" not in participant_page.content()

    # after the meeting the employer records "continue"; the coach agrees the stage, only with dates
    with live_server.session() as db:
        moved = db.get(Meeting, meeting.id)
        moved.starts_at, moved.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=2)
        db.add(moved)
        db.commit()
    employer_page.goto(f"{base}/werkgever/voorstellen/{proposal_id}")
    employer_page.check("#outcome-0")
    shot(employer_page, f"brokering-{lang}-360-employer-outcome")
    employer_page.get_by_role("button", name=t["save"]).click()
    employer_page.wait_for_load_state("networkidle")
    coach_page.goto(f"{base}/coach/voorstellen/{proposal_id}")
    coach_page.get_by_test_id("to-stage_agreed").click()
    coach_page.wait_for_load_state("networkidle")
    assert t["dates_needed"] in coach_page.content()
    start = date.today() + timedelta(days=14)
    coach_page.fill("#stage_start", start.isoformat())
    coach_page.fill("#stage_end", (start + timedelta(weeks=8)).isoformat())
    coach_page.get_by_test_id("to-stage_agreed").click()
    coach_page.wait_for_load_state("networkidle")
    with live_server.session() as db:
        proposal = db.get(Proposal, proposal_id)
        assert proposal.state == "stage_agreed" and proposal.stage_start == start
    coach_page.set_viewport_size({"width": 1280, "height": 900})
    shot(coach_page, f"brokering-{lang}-1280-coach-proposal")
    employer_page.set_viewport_size({"width": 1280, "height": 900})
    employer_page.goto(f"{base}/werkgever/voorstellen/{proposal_id}")
    shot(employer_page, f"brokering-{lang}-1280-employer-proposal")
    participant_page.set_viewport_size({"width": 1280, "height": 900})
    participant_page.goto(f"{base}/deelnemer/traject")
    shot(participant_page, f"brokering-{lang}-1280-participant-trajectory")
