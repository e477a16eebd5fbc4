""""Mijn gegevens" reads as plain language, as a page and as a PDF: no database field name, no code, no ISO time."""
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import SQLModel

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import (
    EVALUATION_DECISIONS,
    PROPOSAL_STATES,
    Evaluation,
    MatchSuggestion,
    Notification,
    ParticipantNote,
    PlaceAnswer,
    ProfileView,
    ProposalEvent,
    utcnow,
)

#: every column name with an underscore (first_name, consent_level, previous_id, ...) and the stored codes
FIELD_NAMES = sorted({c.name for t in SQLModel.metadata.sorted_tables for c in t.columns if "_" in c.name})
CODES = sorted(c for c in set(EVALUATION_DECISIONS + PROPOSAL_STATES + ("skills_name",)) if "_" in c)
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T|\s\d)")


@pytest.fixture
def amina(session):
    coach = make_user(session, "coach", full_name="Kris Coach")
    user = make_user(session, "participant", full_name="Amina El Idrissi", language="nl")
    me = make_participant(session, coach, user=user, first_name="Amina", last_name="El Idrissi", goals="Werken in een magazijn",
                          preferred_sectors=["logistiek", "horeca"], driving_licence=False, consent_level="skills_name")
    employer = make_employer(session, name="Logistiek Noord")
    place = make_place(session, employer, title="Magazijnmedewerker")
    other = make_place(session, employer, title="Heftruckchauffeur")
    proposal = make_proposal(session, me, place, state="participant_agreed", participant_consented_at=utcnow())
    session.add(ProposalEvent(proposal_id=proposal.id, from_state="proposed", to_state="participant_agreed"))
    for days in (3, 2, 1):
        session.add(ProfileView(participant_id=me.id, employer_id=employer.id, proposal_id=proposal.id, at=utcnow() - timedelta(days=days)))
    session.add(ParticipantNote(participant_id=me.id, author_id=coach.id, body="Amina wil graag vroeg beginnen."))
    session.add(MatchSuggestion(participant_id=me.id, place_id=place.id, score=52.4, engine_version="t", released_to_participant=True))
    session.add(PlaceAnswer(participant_id=me.id, place_id=other.id, answer="not_interested", reason="distance"))
    session.add(Evaluation(participant_id=me.id, coach_id=coach.id, held_on=date(2027, 1, 30), decision="not_yet",
                           re_evaluation_on=date(2027, 3, 1), scores={"pace": {"score": 2, "motivation": "Nog wat trager."}}))
    session.add(Notification(user_id=user.id, kind="proposal.created", payload={}))
    session.commit()
    return user


def _assert_plain(text: str):
    for name in FIELD_NAMES:
        assert not re.search(rf"\b{name}\b", text), name
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert not ISO_MOMENT.search(text)
    assert "True" not in text and "False" not in text


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("language, words", [
    ("nl", ("Wie ben ik", "Wat kan ik", "Wat wil ik", "Mijn traject", "Wie zag mijn gegevens", "Nog niet klaar", "30 jan 2027",
            "Heftruckchauffeur bij Logistiek Noord", "Keuken en horeca", "52")),
    ("en", ("Who am I", "What can I do", "What do I want", "My trajectory", "Who saw my data", "Not ready yet", "30 Jan 2027",
            "Heftruckchauffeur at Logistiek Noord", "Kitchen and catering")),
])
def test_the_export_page_is_plain_language_without_any_field_name(amina, session, login_as, language, words):
    amina.language = language
    session.add(amina)
    session.commit()
    html = login_as(amina).get("/deelnemer/gegevens/download.html").get_data(as_text=True)
    text = _visible_text(html)
    _assert_plain(text)
    for word in words:
        assert word in text, word


def test_the_export_pdf_text_holds_no_field_name(amina, login_as):
    response = login_as(amina).get("/deelnemer/gegevens/download.pdf")
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Wie ben ik" in text and "Amina wil graag vroeg beginnen." in text
    _assert_plain(text)


def test_repeated_profile_views_are_one_line_with_place_count_and_last_time(amina, login_as):
    html = login_as(amina).get("/deelnemer/gegevens").get_data(as_text=True)
    assert "Logistiek Noord (Magazijnmedewerker): 3 keer, laatst op" in html
    assert html.count("Logistiek Noord (Magazijnmedewerker)") == 1


def test_the_json_download_stays_with_its_documented_keys(amina, login_as):
    data = login_as(amina).get("/deelnemer/gegevens/download.json").get_json(force=True)
    documented = Path("docs/data-export.md").read_text(encoding="utf-8")
    for key in data:
        assert f"`{key}`" in documented, key
    for key in data["participant"]:
        assert f"`{key}`" in documented, key
