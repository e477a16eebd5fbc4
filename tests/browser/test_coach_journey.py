"""The coach's journey in a real browser: open a participant, edit skills, see the ranked places change, propose
the best one, and after the employer's answer move it to stage agreed. Screenshots in Dutch and English, and at
360 px wide.
"""
from datetime import date, timedelta

from sqlmodel import select

from tests.browser.conftest import switch_language, ui_login
from tests.conftest import make_employer, make_meeting, make_participant, make_place, make_user
from web.models import PhasePeriod, Proposal, Trajectory, User
from web.services.matching import refresh_matches_for_participant
from web.services.proposals import transition_proposal


def _world(live_server):
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Coach Hanne")
        employer = make_employer(db, name="Groendienst Gent")
        make_place(db, employer, title="Heftruckchauffeur magazijn", skills=(("heftruck rijden", True, 2),))
        garden = make_place(db, employer, title="Medewerker groenonderhoud", sector="groen",
                            skills=(("snoeien", True, 2), ("grasmaaien", True, 2), ("bosmaaier", False, 2)))
        person = make_participant(db, coach, first_name="Sofie", last_name="Peeters", skills=(("heftruck rijden", 3),), hours_per_week=30,
                                  preferred_sectors=["groen"])
        refresh_matches_for_participant(session=db, participant_id=person.id)
        db.commit()
        return coach.email, person.id, garden.id, employer.id


def _titles(page):
    return page.locator("[data-testid=matches] .match-title").all_inner_texts()


def test_coach_edits_skills_proposes_best_place_and_agrees_the_stage(live_server, browser_page, shot):
    email, participant_id, garden_id, _employer_id = _world(live_server)
    base = live_server.url
    page = browser_page()
    ui_login(page, base, email, "correct horse battery")

    page.goto(f"{base}/coach/deelnemers")
    shot(page, "coach_caseload_nl")
    page.get_by_role("link", name="Sofie Peeters").click()
    page.get_by_role("link", name="Passende stageplaatsen").click()
    before = _titles(page)
    assert before[0] == "Heftruckchauffeur magazijn"
    shot(page, "coach_matches_before_nl")

    page.get_by_role("link", name="Vaardigheden en profiel bewerken").click()
    page.fill("#skills-0-name", "snoeien")
    page.select_option("#skills-0-level", "3")
    page.fill("#skills-1-name", "grasmaaien")
    page.select_option("#skills-1-level", "3")
    shot(page, "coach_profile_form_nl")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")

    after = _titles(page)
    assert after[0] == "Medewerker groenonderhoud" and after != before
    assert page.get_by_text("Ontbreekt: heftruck rijden").count() >= 1
    shot(page, "coach_matches_after_nl")

    page.locator(f"[data-place='{garden_id}'] [data-testid=propose]").click()
    page.wait_for_load_state("networkidle")
    page.fill("#motivation", "Werkt graag buiten en kent het groenonderhoud.")
    page.get_by_test_id("confirm-propose").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=proposal-state]").first.inner_text() == "Voorgesteld"
    page.get_by_test_id("to-participant_agreed").click()
    page.wait_for_load_state("networkidle")

    with live_server.session() as db:  # the employer answers and offers a slot in their own area
        proposal = db.exec(select(Proposal).where(Proposal.participant_id == participant_id)).one()
        employer_user = db.exec(select(User).where(User.role == "employer")).first()
        transition_proposal(session=db, proposal=proposal, to_state="employer_interested", actor=employer_user, actor_role="employer")
        make_meeting(db, proposal, status="option", days_ahead=4)
        db.commit()

    page.reload()
    assert page.locator("[data-testid=proposal-state]").first.inner_text() == "Werkgever geïnteresseerd"
    page.get_by_role("button", name="Dit moment kiezen").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=proposal-state]").first.inner_text() == "Intake gepland"
    start = date.today() + timedelta(days=7)
    page.fill("input[name=stage_start]", start.isoformat())
    page.fill("input[name=stage_end]", (start + timedelta(days=56)).isoformat())
    page.get_by_test_id("to-stage_agreed").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=proposal-state]").first.inner_text() == "Stage afgesproken"
    page.goto(f"{base}/coach/deelnemers/{participant_id}")
    assert page.get_by_test_id("phase").inner_text() == "Stage"
    shot(page, "coach_participant_stage_agreed_nl")

    with live_server.session() as db:
        proposal = db.exec(select(Proposal).where(Proposal.participant_id == participant_id)).one()
        assert proposal.state == "stage_agreed" and proposal.stage_start == start
        trajectory = db.exec(select(Trajectory).where(Trajectory.participant_id == participant_id)).one()
        assert trajectory.current_phase == "stage"
        assert db.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id, PhasePeriod.phase == "stage")).one()

    switch_language(page, "en")
    assert page.get_by_test_id("phase").inner_text() == "Internship"
    assert page.get_by_role("heading", name="Timeline and notes").count() == 1
    shot(page, "coach_participant_en")
    page.goto(f"{base}/coach/deelnemers/{participant_id}/plaatsen?uitgesloten=1")
    shot(page, "coach_matches_en")


def test_coach_pages_fit_a_phone(live_server, browser_page, shot):
    email, participant_id, _garden_id, _employer_id = _world(live_server)
    page = browser_page(width=360, height=740)
    ui_login(page, live_server.url, email, "correct horse battery")
    for path, name in ((f"/coach/deelnemers/{participant_id}/plaatsen", "coach_matches_360_nl"), ("/coach/deelnemers", "coach_caseload_360_nl"),
                       (f"/coach/deelnemers/{participant_id}/evaluaties/nieuw", "coach_evaluation_form_360_nl")):
        page.goto(live_server.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 362, (path, width)
        shot(page, name)
