"""One cost & expectation sheet for everyone: the coach's place page (and PDF) and the participant's own places."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import CostSheet, MatchSuggestion


@pytest.fixture
def world(session):
    """A coach, two participants with logins, one employer with a released, a proposed, an engine-only and an unrelated place."""
    coach = make_user(session, "coach")
    user = make_user(session, "participant")
    me = make_participant(session, coach, user=user, first_name="Dana")
    other_user = make_user(session, "participant")
    other = make_participant(session, coach, user=other_user)
    employer = make_employer(session, name="Logistiek Noord")
    released = make_place(session, employer, title="Magazijnmedewerker")
    proposed = make_place(session, employer, title="Orderpicker")
    engine_only = make_place(session, employer, title="Heftruckchauffeur")
    unrelated = make_place(session, employer, title="Poetshulp")
    others_place = make_place(session, employer, title="Vrachtwagenlosser")
    for place in (released, proposed, engine_only, unrelated, others_place):
        sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()
        sheet.mentor_name = "Mentor Jan"
        sheet.participant_pace = "Rustig tempo de eerste weken"
        session.add(sheet)
    session.add(MatchSuggestion(participant_id=me.id, place_id=released.id, score=80, engine_version="t", released_to_participant=True))
    session.add(MatchSuggestion(participant_id=me.id, place_id=engine_only.id, score=70, engine_version="t"))
    session.add(MatchSuggestion(participant_id=other.id, place_id=others_place.id, score=60, engine_version="t", released_to_participant=True))
    session.commit()
    make_proposal(session, me, proposed)
    return type("World", (), dict(coach=coach, user=user, me=me, other_user=other_user, released=released, proposed=proposed,
                                  engine_only=engine_only, unrelated=unrelated, others_place=others_place))


def test_coach_place_page_shows_the_employers_sheet(world, login_as):
    html = login_as(world.coach).get(f"/coach/stageplaatsen/{world.released.id}").get_data(as_text=True)
    assert 'data-testid="sheet"' in html
    assert "Kosten- en verwachtingenfiche" in html and "Mentor Jan" in html and "Rustig tempo de eerste weken" in html
    assert f"/coach/stageplaatsen/{world.released.id}/fiche.pdf" in html


def test_coach_downloads_the_sheet_as_pdf(world, login_as):
    response = login_as(world.coach).get(f"/coach/stageplaatsen/{world.released.id}/fiche.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Magazijnmedewerker" in text and "cost and expectation sheet" in text.casefold()


def test_coach_sheet_pdf_of_an_unpublished_place_is_404(world, session, login_as):
    world.unrelated.status = "draft"
    session.add(world.unrelated)
    session.commit()
    assert login_as(world.coach).get(f"/coach/stageplaatsen/{world.unrelated.id}/fiche.pdf").status_code == 404


@pytest.mark.parametrize("which", ["released", "proposed"])
def test_participant_sees_the_same_sheet_for_places_suggested_to_them(world, login_as, which):
    client = login_as(world.user)
    place = getattr(world, which)
    detail = client.get(f"/deelnemer/vacatures/{place.id}").get_data(as_text=True)
    assert "Bekijk de kosten- en verwachtingenfiche" in detail and f"/deelnemer/vacatures/{place.id}/fiche" in detail
    response = client.get(f"/deelnemer/vacatures/{place.id}/fiche")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="sheet"' in html and "Mentor Jan" in html and place.title in html


def test_participant_sheet_of_a_place_not_suggested_to_them_is_404(world, session, login_as):
    client = login_as(world.user)
    assert client.get(f"/deelnemer/vacatures/{world.unrelated.id}/fiche").status_code == 404
    assert client.get(f"/deelnemer/vacatures/{world.others_place.id}/fiche").status_code == 404  # released to someone else
    assert client.get(f"/deelnemer/vacatures/{world.engine_only.id}/fiche").status_code == 404  # engine suggestions hidden
    assert client.get("/deelnemer/vacatures/999999/fiche").status_code == 404
    world.me.engine_suggestions_visible = True
    session.add(world.me)
    session.commit()
    assert client.get(f"/deelnemer/vacatures/{world.engine_only.id}/fiche").status_code == 200


def test_only_participants_open_the_participant_sheet(world, login_as):
    response = login_as(world.coach).get(f"/deelnemer/vacatures/{world.released.id}/fiche")
    assert response.status_code in (302, 403, 404)


def test_participant_sheet_reads_in_english(world, session, login_as):
    world.user.language = "en"
    session.add(world.user)
    session.commit()
    html = login_as(world.user).get(f"/deelnemer/vacatures/{world.released.id}/fiche").get_data(as_text=True)
    assert "Cost and expectation sheet" in html and "Your coach sees the same sheet." in html
