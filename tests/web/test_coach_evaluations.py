"""The uniform doorstroom evaluation: fixed rubric, required motivations, decision rules, immutable once signed off."""
from datetime import date, timedelta

from sqlmodel import select

from tests.conftest import make_participant, make_user
from web.models import Evaluation
from web.services.evaluations import RUBRIC_ITEMS


def _form(decision="ready", **overrides):
    data = {"held_on": date.today().isoformat(), "attendees": "deelnemer, coach, werkvloerbegeleider", "decision": decision, "summary": "Goed gesprek"}
    for item in RUBRIC_ITEMS:
        data[f"{item}_score"] = "3"
        data[f"{item}_motivation"] = f"Motivering voor {item}"
    data.update(overrides)
    return data


def test_rubric_is_the_fixed_list():
    assert RUBRIC_ITEMS == ("work_attitude", "pace", "independence", "collaboration", "dutch", "reliability", "motivation", "support_need")


def test_evaluation_form_shows_every_item_with_described_levels(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    html = client.get(f"/coach/deelnemers/{person.id}/evaluaties/nieuw").get_data(as_text=True)
    for item in RUBRIC_ITEMS:
        assert f'data-item="{item}"' in html
    assert "Haalt het tempo van een gewone werkplek." in html


def test_motivation_is_required_for_every_score_at_sign_off(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    assert client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_form(pace_motivation="")).status_code == 302
    evaluation = session.exec(select(Evaluation)).one()
    response = client.post(f"/coach/evaluaties/{evaluation.id}/afronden", data={"confirmed": "1"})
    assert response.status_code == 422 and "Werktempo: de motivering" in response.get_data(as_text=True)
    session.refresh(evaluation)
    assert evaluation.signed_off_at is None


def test_not_yet_needs_a_re_evaluation_date(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_form("not_yet"))
    draft = session.exec(select(Evaluation)).one()
    assert "De datum van de nieuwe evaluatie" in client.get(f"/coach/evaluaties/{draft.id}/afronden").get_data(as_text=True)
    session.delete(draft)
    session.commit()
    later = (date.today() + timedelta(days=60)).isoformat()
    assert client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_form("not_yet", re_evaluation_on=later)).status_code == 302
    evaluation = session.exec(select(Evaluation)).one()
    assert evaluation.decision == "not_yet" and evaluation.re_evaluation_on.isoformat() == later
    assert evaluation.scores["pace"] == {"score": 3, "motivation": "Motivering voor pace"}


def test_signed_off_evaluation_cannot_be_changed(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_form())
    evaluation = session.exec(select(Evaluation)).one()
    assert client.post(f"/coach/evaluaties/{evaluation.id}/bewerken", data=_form(summary="Draft change")).status_code == 302
    assert client.post(f"/coach/evaluaties/{evaluation.id}/afronden", data={"confirmed": "1"}).status_code == 302
    session.refresh(evaluation)
    assert evaluation.signed_off_at is not None and evaluation.signed_off_by_id == coach.id and evaluation.summary == "Draft change"
    response = client.post(f"/coach/evaluaties/{evaluation.id}/bewerken", data=_form("not_yet", re_evaluation_on="2030-01-01", summary="Changed"))
    assert response.status_code == 409
    assert client.post(f"/coach/evaluaties/{evaluation.id}/afronden").status_code == 409
    session.refresh(evaluation)
    assert evaluation.decision == "ready" and evaluation.summary == "Draft change"


def test_new_evaluation_follows_the_signed_off_one_and_both_stay_readable(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_form("not_yet", re_evaluation_on="2030-01-01"))
    first = session.exec(select(Evaluation)).one()
    client.post(f"/coach/evaluaties/{first.id}/afronden", data={"confirmed": "1"})
    client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_form("ready_with_support"))
    second = session.exec(select(Evaluation).where(Evaluation.id != first.id)).one()
    assert second.previous_id == first.id
    page = client.get(f"/coach/evaluaties/{first.id}").get_data(as_text=True)
    assert "Nog niet klaar" in page and "Motivering voor dutch" in page and "Afgerond op" in page
    assert "Klaar voor doorstroom met ondersteuning" in client.get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
