"""The coach sees the participant's answers to plain suggestions (PlaceAnswer) on the participant page and in the timeline."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import login, make_employer, make_participant, make_place, make_user
from web.models import MatchSuggestion, PlaceAnswer, utcnow


def _released(session, person, place):
    session.add(MatchSuggestion(participant_id=person.id, place_id=place.id, score=75, engine_version="t", released_to_participant=True))
    session.commit()


def test_participant_answers_show_on_the_coach_page_with_the_reason_in_words(app, session, login_as):
    coach = make_user(session, "coach")
    user = make_user(session, "participant")
    person = make_participant(session, coach, user=user)
    employer = make_employer(session, name="Groen Gent")
    yes_place = make_place(session, employer, title="Groenarbeider")
    no_place = make_place(session, employer, title="Nachtploeg magazijn")
    _released(session, person, yes_place)
    _released(session, person, no_place)
    participant_client = app.test_client()
    login(participant_client, user.email)
    assert participant_client.post(f"/deelnemer/vacatures/{yes_place.id}/antwoord", data={"yes": "1"}).status_code == 302
    assert participant_client.post(f"/deelnemer/vacatures/{no_place.id}/antwoord", data={"no": "1", "reason": "schedule"}).status_code == 302
    html = login_as(coach).get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
    section = html.split('data-testid="place-answers"', 1)[1].split("</section>", 1)[0]
    assert "Groenarbeider" in section and "Wil dit graag" in section
    assert "Nachtploeg magazijn" in section and "Liever niet" in section and "Uren of rooster passen niet" in section
    timeline = html.split('id="tijdlijn"', 1)[1]
    assert "Antwoord op Nachtploeg magazijn: Liever niet — reden: Uren of rooster passen niet" in timeline
    assert "Antwoord op Groenarbeider: Wil dit graag" in timeline


def test_answer_filled_in_by_the_coach_says_so_and_reads_in_english(session, login_as):
    coach = make_user(session, "coach", language="en")
    person = make_participant(session, coach, user=make_user(session, "participant"))
    place = make_place(session, make_employer(session), title="Magazijnier")
    session.add(PlaceAnswer(participant_id=person.id, place_id=place.id, answer="not_interested", reason="distance", answered_by_id=coach.id,
                            answered_at=utcnow() - timedelta(hours=1)))
    session.commit()
    html = login_as(coach).get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
    assert "Answers to suggested vacancies" in html and "filled in by a coach" in html
    assert "Answer on Magazijnier: Rather not — reason: Too far" in html


def test_no_answers_yet_says_so(session, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    html = login_as(coach).get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
    assert "De deelnemer heeft nog niet geantwoord op vrijgegeven vacatures." in html


def test_another_participants_answers_do_not_show(session, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    other = make_participant(session, coach)
    place = make_place(session, make_employer(session), title="Poetshulp Zwijnaarde")
    session.add(PlaceAnswer(participant_id=other.id, place_id=place.id, answer="interested"))
    session.commit()
    assert "Poetshulp Zwijnaarde" not in login_as(coach).get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
