"""The doorstroomevaluatie in a real conversation: half-filled drafts save, sign-off lists what is missing and asks
for confirmation, the PDF is in the participant's language and the participant can download it."""
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from tests.conftest import make_participant, make_user
from web.models import AuditLog, Evaluation
from web.services.evaluations import RUBRIC_ITEMS


@pytest.fixture
def coach_and_person(session):
    coach = make_user(session, "coach")
    account = make_user(session, "participant", language="en")
    person = make_participant(session, coach, user=account, first_name="Dana")
    return coach, person, account


def _complete(**overrides):
    data = {"held_on": date.today().isoformat(), "attendees": "Dana, coach", "decision": "ready", "summary": "Klaar."}
    for item in RUBRIC_ITEMS:
        data[f"{item}_score"] = "3"
        data[f"{item}_motivation"] = f"Goed: {item}"
    data.update(overrides)
    return data


def test_a_half_filled_draft_saves_and_sign_off_lists_what_is_missing(session, client, login_as, coach_and_person):
    coach, person, _account = coach_and_person
    login_as(coach)
    response = client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw",
                           data={"pace_score": "2", "pace_motivation": "Nog wat trager bij nieuwe taken."})
    assert response.status_code == 302
    draft = session.exec(select(Evaluation)).one()
    assert draft.scores == {"pace": {"score": 2, "motivation": "Nog wat trager bij nieuwe taken."}} and draft.decision is None
    assert draft.held_on == date.today()
    page = client.get(f"/coach/evaluaties/{draft.id}").get_data(as_text=True)
    assert 'data-testid="evaluation-missing"' in page and "Werkhouding: een niveau" in page
    confirm = client.get(f"/coach/evaluaties/{draft.id}/afronden").get_data(as_text=True)
    assert "Wie nam deel" in confirm and "De beslissing" in confirm and "Werktempo: een niveau" not in confirm
    assert 'name="confirmed"' not in confirm
    assert client.post(f"/coach/evaluaties/{draft.id}/afronden", data={"confirmed": "1"}).status_code == 422
    session.refresh(draft)
    assert draft.signed_off_at is None
    # the draft can be filled in further: the edit form keeps what was there
    form = client.get(f"/coach/evaluaties/{draft.id}/bewerken").get_data(as_text=True)
    assert "Nog wat trager bij nieuwe taken." in form
    assert re.search(r"<input[^>]*checked[^>]*id=\"pace_score-1\"|<input[^>]*id=\"pace_score-1\"[^>]*checked", form), form[form.find("pace_score"):][:400]


def test_sign_off_needs_the_confirmation_step_naming_the_consequences(session, client, login_as, coach_and_person):
    coach, person, _account = coach_and_person
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_complete())
    evaluation = session.exec(select(Evaluation)).one()
    page = client.get(f"/coach/evaluaties/{evaluation.id}/afronden").get_data(as_text=True)
    assert 'data-testid="sign-off-consequences"' in page and "kan niemand deze evaluatie nog veranderen" in page
    assert client.post(f"/coach/evaluaties/{evaluation.id}/afronden").status_code == 200  # no confirmation: nothing happens
    session.refresh(evaluation)
    assert evaluation.signed_off_at is None
    assert client.post(f"/coach/evaluaties/{evaluation.id}/afronden", data={"confirmed": "1"}).status_code == 302
    session.refresh(evaluation)
    assert evaluation.signed_off_at is not None
    assert session.exec(select(AuditLog).where(AuditLog.action == "evaluation.signed_off", AuditLog.object_id == str(evaluation.id))).one()


def test_sign_off_needs_a_csrf_token(session, csrf_app, coach_and_person):
    from tests.web.test_security_matrix import login_with_csrf

    coach, person, _account = coach_and_person
    evaluation = Evaluation(participant_id=person.id, coach_id=coach.id, held_on=date.today())
    session.add(evaluation)
    session.commit()
    client = csrf_app.test_client()
    login_with_csrf(client, coach)
    assert client.post(f"/coach/evaluaties/{evaluation.id}/afronden", data={"confirmed": "1"}).status_code == 400
    session.refresh(evaluation)
    assert evaluation.signed_off_at is None


def test_the_pdf_is_in_the_participants_language_and_the_participant_downloads_it(session, client, login_as, coach_and_person):
    coach, person, account = coach_and_person
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/evaluaties/nieuw", data=_complete())
    evaluation = session.exec(select(Evaluation)).one()
    response = client.get(f"/coach/evaluaties/{evaluation.id}.pdf")
    assert response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Transition evaluation" in text and "Ready for transition" in text and "Goed: pace" in text
    # a draft is not for the participant yet
    client.post("/auth/logout")
    login_as(account)
    assert client.get(f"/deelnemer/gegevens/evaluaties/{evaluation.id}.pdf").status_code == 404
    client.post("/auth/logout")
    login_as(coach)
    client.post(f"/coach/evaluaties/{evaluation.id}/afronden", data={"confirmed": "1"})
    client.post("/auth/logout")
    login_as(account)
    assert f"/deelnemer/gegevens/evaluaties/{evaluation.id}.pdf" in client.get("/deelnemer/gegevens").get_data(as_text=True)
    response = client.get(f"/deelnemer/gegevens/evaluaties/{evaluation.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_another_coach_or_participant_cannot_open_the_evaluation(session, client, login_as, coach_and_person):
    coach, person, _account = coach_and_person
    evaluation = Evaluation(participant_id=person.id, coach_id=coach.id, held_on=date.today(), signed_off_at=None)
    session.add(evaluation)
    session.commit()
    login_as(make_user(session, "coach"))
    for path in (f"/coach/evaluaties/{evaluation.id}", f"/coach/evaluaties/{evaluation.id}.pdf", f"/coach/evaluaties/{evaluation.id}/afronden"):
        assert client.get(path).status_code == 404, path
    client.post("/auth/logout")
    stranger = make_user(session, "participant")
    make_participant(session, coach, user=stranger)
    login_as(stranger)
    assert client.get(f"/deelnemer/gegevens/evaluaties/{evaluation.id}.pdf").status_code == 404
