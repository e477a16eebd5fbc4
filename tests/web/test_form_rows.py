"""Repeating form rows: more rows than the page shows are accepted and validated, empty rows are ignored."""
from sqlmodel import select

from tests.conftest import make_participant, make_user
from tests.web.employer_helpers import draft_place, employer_with_user, place_form_data, sheet_form_data
from web.employer.forms import MAX_SKILL_ROWS
from web.models import CostLine, CostSheet, ParticipantSkill, PlaceSkill, StagePlace

SIX_SKILLS = ["heftruck rijden", "orderpicking", "inpakken", "voorraadbeheer", "scannen", "etiketteren"]


def _place_skill_rows(names, start=0):
    data = {}
    for offset, name in enumerate(names):
        index = start + offset
        data.update({f"skills-{index}-name": name, f"skills-{index}-required": "1", f"skills-{index}-min_level": "2"})
    return data


def _profile_form(person, rows):
    data = {"first_name": person.first_name, "last_name": person.last_name, "postal_code": "9000", "max_distance_km": "25",
            "hours_per_week": "30", "dutch_level": "B1"}
    for index, (name, level) in enumerate(rows):
        data.update({f"skills-{index}-name": name, f"skills-{index}-level": str(level)})
    return data


def _place_skills(session, place_id):
    return session.exec(select(PlaceSkill.name).where(PlaceSkill.place_id == place_id).order_by(PlaceSkill.position)).all()


def test_employer_place_form_saves_six_skill_rows(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    data = place_form_data()
    data = {k: v for k, v in data.items() if not k.startswith("skills-")} | _place_skill_rows(SIX_SKILLS)
    response = client.post("/werkgever/plaatsen/nieuw", data=data)
    assert response.status_code == 302
    place = session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id)).one()
    assert _place_skills(session, place.id) == SIX_SKILLS


def test_employer_place_form_ignores_empty_rows_and_gaps(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    login_as(user)
    data = {k: v for k, v in place_form_data().items() if not k.startswith("skills-")}
    data |= _place_skill_rows(["inpakken", ""]) | _place_skill_rows(["scannen"], start=5) | _place_skill_rows(["  "], start=9)
    response = client.post(f"/werkgever/plaatsen/{place.id}/bewerken", data=data)
    assert response.status_code == 302
    assert _place_skills(session, place.id) == ["inpakken", "scannen"]


def test_added_skill_rows_are_validated_like_the_first(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    data = place_form_data() | _place_skill_rows(["inpakken", "scannen", "<script>x</script>"], start=3)  # rows 0, 1 and 3-5: compacted to 0-4
    response = client.post("/werkgever/plaatsen/nieuw", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="skills-4-name-error"' in html and "Gebruik geen HTML-code" in html
    assert session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id)).first() is None


def test_more_rows_than_the_maximum_are_refused_not_dropped(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    names = [f"vaardigheid {n}" for n in range(MAX_SKILL_ROWS + 1)]
    data = {k: v for k, v in place_form_data().items() if not k.startswith("skills-")} | _place_skill_rows(names)
    response = client.post("/werkgever/plaatsen/nieuw", data=data)
    assert response.status_code == 422
    assert f"Je kan hier hoogstens {MAX_SKILL_ROWS} regels invullen." in response.get_data(as_text=True)
    assert session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id)).first() is None


def test_sheet_form_saves_extra_cost_lines_and_checklist_rows(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    login_as(user)
    data = sheet_form_data()
    for index in range(2, 6):
        data.update({f"lines-{index}-kind": "other", f"lines-{index}-label": f"Kost {index}", f"lines-{index}-amount": "10",
                     f"lines-{index}-period": "once", f"lines-{index}-payer": "stage_employer"})
        data.update({f"checklist-{index}-document": f"Document {index}", f"checklist-{index}-signer": "", f"checklist-{index}-due": ""})
    data.update({"lines-6-kind": "other", "lines-6-label": "", "lines-6-amount": "", "lines-6-period": "once", "lines-6-payer": "stage_employer",
                 "checklist-6-document": "", "checklist-6-signer": "", "checklist-6-due": ""})
    response = client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=data)
    assert response.status_code == 302
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()
    session.refresh(sheet)
    labels = session.exec(select(CostLine.label).where(CostLine.sheet_id == sheet.id).order_by(CostLine.position)).all()
    assert labels == ["Veiligheidsschoenen", "Fietsvergoeding", "Kost 2", "Kost 3", "Kost 4", "Kost 5"]
    assert [row["document"] for row in sheet.checklist] == ["Stageovereenkomst", "Document 2", "Document 3", "Document 4", "Document 5"]


def test_coach_profile_form_saves_six_skill_rows(client, session, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, skills=())
    login_as(coach)
    rows = [(name, 3) for name in SIX_SKILLS] + [("", 2)]
    response = client.post(f"/coach/deelnemers/{person.id}/profiel", data=_profile_form(person, rows))
    assert response.status_code == 302
    saved = session.exec(select(ParticipantSkill.name).where(ParticipantSkill.participant_id == person.id)).all()
    assert sorted(saved) == sorted(SIX_SKILLS)


def test_pages_carry_the_add_row_markup_with_translated_labels(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    login_as(user)
    html = client.get(f"/werkgever/plaatsen/{place.id}/bewerken").get_data(as_text=True)
    assert 'data-rows="skills"' in html and 'data-row-add-label="Nog een rij toevoegen"' in html
    assert 'data-row-remove-label="Verwijder"' in html and "js/rows.js" in html
    assert '"min_level": "2"' in html or '"min_level":"2"' in html
    sheet = client.get(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-rows="lines"' in sheet and 'data-rows="checklist"' in sheet
