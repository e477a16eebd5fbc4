"""Participant pages read as the participant expects: tasks as lists, start and duration, all four phases with where
they stand, one count of what waits for them, and their own words first in "why it fits"."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import session as flask_session
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.formatting import text_lines
from web.models import MatchSuggestion, ParticipantSkill, PhasePeriod, Trajectory
from web.services.participant_portal import participant_reasons, phase_steps

TASKS = "- Dozen uitpakken\n• Rekken aanvullen\n\n  Vrachtbrieven scannen met de handscanner  \n"


def _explanation(*pairs, required=True, level=3, min_level=2) -> dict:
    return {"matched": [{"requirement": theirs, "skill": mine, "level": level, "min_level": min_level, "required": required}
                        for mine, theirs in pairs], "missing": [], "exclusions": []}


@pytest.fixture
def world(session):
    coach = make_user(session, "coach")
    user = make_user(session, "participant")
    me = make_participant(session, coach, user=user, first_name="Amina", skills=(("handscanner", 3), ("stiptheid", 3)))
    employer = make_employer(session, name="Logistiek Noord")
    start = date.today() + timedelta(days=21)
    place = make_place(session, employer, title="Magazijnmedewerker", tasks=TASKS, start_date=start, duration_weeks=12,
                       skills=(("barcodescanner", True, 2), ("punctualiteit", True, 2)))
    explanation = _explanation(("handscanner", "barcodescanner"), ("stiptheid", "punctualiteit"))
    session.add(MatchSuggestion(participant_id=me.id, place_id=place.id, score=80, explanation=explanation, engine_version="t",
                                released_to_participant=True))
    session.commit()
    return type("World", (), dict(coach=coach, user=user, me=me, employer=employer, place=place, start=start))


# --- tasks typed on separate lines ----------------------------------------------------------------------------------


def test_text_lines_keeps_each_typed_line_and_drops_bullets_and_blank_lines():
    assert text_lines(TASKS) == ["Dozen uitpakken", "Rekken aanvullen", "Vrachtbrieven scannen met de handscanner"]
    assert text_lines("Eén taak") == ["Eén taak"]
    assert text_lines("") == [] and text_lines(None) == []


def test_vacancy_page_shows_tasks_typed_on_separate_lines_as_a_list(world, login_as):
    html = login_as(world.user).get(f"/deelnemer/vacatures/{world.place.id}").get_data(as_text=True)
    items = re.search(r'<ul class="text-lines p-tasks">(.*?)</ul>', html, re.S)
    assert items, "the tasks are not a list"
    assert re.findall(r"<li>(.*?)</li>", items.group(1)) == ["Dozen uitpakken", "Rekken aanvullen", "Vrachtbrieven scannen met de handscanner"]


def test_sheet_shown_to_the_participant_lists_tasks_and_expectations(world, session, login_as):
    from web.models import CostSheet

    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == world.place.id)).one()
    sheet.participant_tasks = "Op tijd komen\nVeiligheidsschoenen dragen"
    session.add(sheet)
    session.commit()
    html = login_as(world.user).get(f"/deelnemer/vacatures/{world.place.id}/fiche").get_data(as_text=True)
    assert "<li>Op tijd komen</li><li>Veiligheidsschoenen dragen</li>" in html
    assert "<li>Dozen uitpakken</li><li>Rekken aanvullen</li>" in html


def test_coach_place_page_lists_the_tasks(world, login_as):
    html = login_as(world.coach).get(f"/coach/stageplaatsen/{world.place.id}").get_data(as_text=True)
    assert "<li>Dozen uitpakken</li><li>Rekken aanvullen</li>" in html


# --- start and duration -----------------------------------------------------------------------------------------------


def test_vacancy_page_shows_start_date_and_duration_in_each_language(world, session, login_as):
    client = login_as(world.user)
    html = client.get(f"/deelnemer/vacatures/{world.place.id}").get_data(as_text=True)
    from web.formatting import format_date

    assert f"Start op {format_date(world.start, 'long', language='nl')}" in html
    assert "De stage duurt 12 weken" in html
    world.user.language = "en"
    session.add(world.user)
    session.commit()
    html = client.get(f"/deelnemer/vacatures/{world.place.id}").get_data(as_text=True)
    assert f"Starts on {format_date(world.start, 'long', language='en')}" in html
    assert "The internship lasts 12 weeks" in html


def test_a_start_date_in_the_past_reads_as_soon_as_possible_and_one_week_is_singular(world, session, login_as):
    world.place.start_date = date.today() - timedelta(days=3)
    world.place.duration_weeks = 1
    session.add(world.place)
    session.commit()
    html = login_as(world.user).get("/deelnemer/vacatures").get_data(as_text=True)
    assert "Start zo snel mogelijk · De stage duurt 1 week<" in html


# --- the four phases --------------------------------------------------------------------------------------------------


def test_trajectory_lists_all_four_phases_with_done_now_and_later(world, login_as):
    html = login_as(world.user).get("/deelnemer/traject").get_data(as_text=True)
    phases = re.findall(r'<li class="p-phase (\w+)"[^>]*data-testid="phase-(\w+)"', html)
    assert phases == [("done", "voortraject"), ("now", "jobmatching"), ("later", "stage"), ("later", "nazorg")]
    assert "vier stappen" not in html
    assert html.count('aria-current="step"') == 1


def test_phase_steps_after_a_stage_without_a_job_keep_the_stage_dates_but_say_later(session, world):
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == world.me.id)).one()
    stage = PhasePeriod(trajectory_id=trajectory.id, phase="stage", started_on=date(2026, 1, 5), due_on=date(2026, 3, 1), ended_on=date(2026, 2, 20))
    session.add(stage)
    session.commit()
    steps = phase_steps(trajectory, [stage])
    assert [(s.phase, s.status) for s in steps] == [("voortraject", "done"), ("jobmatching", "now"), ("stage", "later"), ("nazorg", "later")]
    assert steps[2].periods == [stage]
    trajectory.current_phase, trajectory.ended_on = "nazorg", date.today()
    assert [s.status for s in phase_steps(trajectory, [])] == ["done", "done", "done", "done"]


# --- one count ------------------------------------------------------------------------------------------------------


def test_dashboard_and_trajectory_give_one_count_of_places_waiting(world, session, login_as):
    other = make_place(session, world.employer, title="Orderpicker")
    make_proposal(session, world.me, other)
    client = login_as(world.user)
    dashboard = client.get("/deelnemer/").get_data(as_text=True)
    trajectory = client.get("/deelnemer/traject").get_data(as_text=True)
    assert "2 wachten op jouw antwoord" in dashboard
    assert "Er wacht een voorstel" not in dashboard and "Er wacht een voorstel" not in trajectory
    assert "2 stageplaatsen wachten op jouw antwoord." in trajectory


def test_one_place_waiting_is_singular(world, login_as):
    client = login_as(world.user)
    assert "1 wacht op jouw antwoord" in client.get("/deelnemer/").get_data(as_text=True)
    assert "1 stageplaats wacht op jouw antwoord." in client.get("/deelnemer/traject").get_data(as_text=True)


def test_after_answering_nothing_waits_any_more(world, login_as):
    client = login_as(world.user)
    token_page = client.get(f"/deelnemer/vacatures/{world.place.id}")
    assert token_page.status_code == 200
    client.post(f"/deelnemer/vacatures/{world.place.id}/antwoord", data={"yes": "1"})
    assert "wacht op jouw antwoord" not in client.get("/deelnemer/").get_data(as_text=True)
    assert "op jouw antwoord." not in client.get("/deelnemer/traject").get_data(as_text=True)


# --- the participant's own words first ---------------------------------------------------------------------------------


def test_why_it_fits_quotes_the_participants_own_word_before_the_employers(world, login_as):
    html = login_as(world.user).get(f"/deelnemer/vacatures/{world.place.id}").get_data(as_text=True)
    mine = html.index("handscanner — zij vragen: barcodescanner")
    assert "In jouw profiel: handscanner — zij vragen: barcodescanner. Dat past bij wat ze zoeken." in html
    assert "In jouw profiel: stiptheid — zij vragen: punctualiteit. Dat past bij wat ze zoeken." in html
    assert html.index("handscanner") <= mine < html.index("barcodescanner")


def test_jij_schreef_only_for_skills_the_participant_entered(world, session, login_as):
    skill = session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id == world.me.id, ParticipantSkill.name == "handscanner")).one()
    skill.source = "participant"
    session.add(skill)
    session.commit()
    html = login_as(world.user).get(f"/deelnemer/vacatures/{world.place.id}").get_data(as_text=True)
    assert "Jij schreef: handscanner — zij vragen: barcodescanner. Dat past bij wat ze zoeken." in html
    assert "In jouw profiel: stiptheid — zij vragen: punctualiteit." in html


def test_own_words_in_english_and_for_nice_to_have_and_lower_levels(app):
    with app.test_request_context():
        nice, _ = participant_reasons(_explanation(("handscanner", "barcodescanner"), required=False), {"handscanner"})
        low, _ = participant_reasons(_explanation(("handscanner", "Barcodescanner"), level=1, min_level=3))
        same, _ = participant_reasons(_explanation(("Stiptheid", "stiptheid")))
    with app.test_request_context():
        flask_session["lang"] = "en"
        english, _ = participant_reasons(_explanation(("handscanner", "barcodescanner")), {"handscanner"})
    assert nice == ["Jij schreef: handscanner — zij vragen: barcodescanner. Dat is een pluspunt."]
    assert low == ["In jouw profiel: handscanner — zij vragen: Barcodescanner. Ze vragen iets meer. Daar leer je nog bij."]
    assert same == ["Stiptheid: dat staat in jouw profiel. Dat zoeken ze."]
    assert english == ["You wrote: handscanner — they ask for: barcodescanner. That fits what they are looking for."]
