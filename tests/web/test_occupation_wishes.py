"""Occupation wishes (beroepswensen) on the web side: the coach's profile form, the CSV import, the pages that
show them, the employer's place occupation, the engine that ranks with them, and the API."""
from __future__ import annotations

import io

import pytest
from sqlmodel import Session, func, select

from tests.conftest import make_employer, make_participant, make_place, make_user
from tests.web.api_helpers import auth, token_for
from web.models import MatchSuggestion, Participant, StagePlace
from web.services.matching import refresh_matches_for_participant

PROBLEM = "application/problem+json"


def _refresh(app, participant_id):
    with Session(app.extensions["db_engine"]) as db:
        refresh_matches_for_participant(session=db, participant_id=participant_id)
        db.commit()


def _profile_form(person, wishes=(), **extra) -> dict:
    form = {
        "first_name": person.first_name, "last_name": person.last_name, "postal_code": "9000", "max_distance_km": "25",
        "hours_per_week": "30", "dutch_level": "B1", "skills-0-name": "heftruck rijden", "skills-0-level": "3",
    }
    for index, wish in enumerate(wishes):
        form[f"occupations-{index}-name"] = wish
    form.update(extra)
    return form


def _scores(session, person) -> dict[int, float]:
    session.expire_all()
    return {m.place_id: m.score for m in session.exec(select(MatchSuggestion).where(MatchSuggestion.participant_id == person.id))}


@pytest.fixture
def two_places(session):
    """Two places asking the same skill, alike in everything but the job: without a wish they tie."""
    employer = make_employer(session)
    cleaner = make_place(session, employer, title="Schoonmaker gebouwen", skills=(("heftruck rijden", True, 2),))
    warehouse = make_place(session, employer, title="Magazijnmedewerker", skills=(("heftruck rijden", True, 2),))
    return cleaner, warehouse


# --- the coach's profile form ---------------------------------------------------------------------------


def test_a_wish_saved_in_the_profile_form_ranks_the_wished_job_first_and_says_why(app, session, client, login_as, two_places):
    cleaner, warehouse = two_places
    coach = make_user(session, "coach")
    person = make_participant(session, coach, first_name="Dana", skills=(("heftruck rijden", 3),), hours_per_week=30)
    _refresh(app, person.id)
    before = _scores(session, person)
    assert before[cleaner.id] == pytest.approx(before[warehouse.id])

    login_as(coach)
    response = client.post(f"/coach/deelnemers/{person.id}/profiel", data=_profile_form(person, ["magazinier", "", "Magazinier"]))
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["magazinier"]  # blanks and the same wish twice dropped
    after = _scores(session, person)
    assert after[warehouse.id] > after[cleaner.id]
    html = client.get(f"/coach/deelnemers/{person.id}/plaatsen").get_data(as_text=True)
    assert html.index("Magazijnmedewerker") < html.index("Schoonmaker gebouwen")
    assert "Beroepswens van Dana: magazinier — dat is deze job." in html


def test_the_engine_receives_the_wishes_and_the_places_occupation(app, session):
    from web.services import matching as svc

    coach = make_user(session, "coach")
    person = make_participant(session, coach, occupations=["heftruckchauffeur", "kok"])
    employer = make_employer(session)
    place = make_place(session, employer, title="Stage in ons magazijn", title_esco_uri="http://data.europa.eu/esco/occupation/x")
    engine = svc.get_engine(session=session)
    [participant] = svc.load_participants(session=session, engine=engine, participant_ids=[person.id])
    [vacancy] = svc.load_vacancies(session=session, engine=engine, place_ids=[place.id])
    assert participant.occupations == ("heftruckchauffeur", "kok")
    assert vacancy.occupation == "http://data.europa.eu/esco/occupation/x"


def test_a_stored_wish_the_engine_would_refuse_is_left_out_instead_of_failing_the_refresh(app, session, two_places):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, skills=(("heftruck rijden", 3),), hours_per_week=30,
                              occupations=["m" * 300, 7, "magazijnmedewerker"])
    _refresh(app, person.id)
    cleaner, warehouse = two_places
    scores = _scores(session, person)
    assert scores[warehouse.id] > scores[cleaner.id]


def test_the_form_shows_the_stored_wishes_and_offers_one_blank_row(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, occupations=["magazijnmedewerker", "heftruckchauffeur"])
    login_as(coach)
    html = client.get(f"/coach/deelnemers/{person.id}/profiel").get_data(as_text=True)
    assert 'name="occupations-0-name"' in html and 'value="magazijnmedewerker"' in html
    assert 'value="heftruckchauffeur"' in html and 'name="occupations-2-name"' in html
    assert 'name="occupations-3-name"' not in html
    assert 'data-suggest-url="/coach/suggesties/beroepen"' in html


@pytest.mark.parametrize(
    ("language", "message"),
    [("nl", "Een beroepswens is hoogstens 120 tekens lang."), ("en", "An occupation wish is at most 120 characters long.")],
)
def test_a_too_long_wish_is_refused_in_the_users_language_and_the_form_keeps_its_values(session, client, login_as, language, message):
    coach = make_user(session, "coach", language=language)
    person = make_participant(session, coach, occupations=["kok"])
    login_as(coach)
    response = client.post(f"/coach/deelnemers/{person.id}/profiel",
                           data=_profile_form(person, ["magazijnmedewerker", "x" * 121], goals="Vaste job in een magazijn"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="magazijnmedewerker"' in html and "x" * 121 in html and "Vaste job in een magazijn" in html
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["kok"]


@pytest.mark.parametrize(("language", "message"), [("nl", "Geef hoogstens 5 beroepswensen."), ("en", "Give at most 5 occupation wishes.")])
def test_more_than_five_wishes_are_refused(session, client, login_as, language, message):
    coach = make_user(session, "coach", language=language)
    person = make_participant(session, coach)
    login_as(coach)
    wishes = ["kok", "lasser", "schilder", "bakker", "slager", "kapper"]
    response = client.post(f"/coach/deelnemers/{person.id}/profiel", data=_profile_form(person, wishes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="kok"' in html and 'value="slager"' in html  # the rows shown keep what was typed
    session.expire_all()
    assert session.get(Participant, person.id).occupations is None


def test_markup_in_a_wish_is_refused(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    html = client.post(f"/coach/deelnemers/{person.id}/profiel", data=_profile_form(person, ["<b>kok</b>"])).get_data(as_text=True)
    assert "Gebruik geen &lt; of &gt; in dit veld." in html


def test_a_new_participant_gets_wishes_from_the_first_form(session, client, login_as):
    coach = make_user(session, "coach")
    login_as(coach)
    form = {"first_name": "Ilse", "last_name": "Nieuw", "postal_code": "9000", "max_distance_km": "25", "hours_per_week": "30",
            "phase": "voortraject", "occupations-0-name": " groen   arbeider "}
    assert client.post("/coach/deelnemers/nieuw", data=form).status_code == 302
    person = session.exec(select(Participant).where(Participant.first_name == "Ilse")).one()
    assert person.occupations == ["groen arbeider"]


def test_another_coach_cannot_change_the_wishes(session, client, login_as):
    owner = make_user(session, "coach")
    person = make_participant(session, owner, occupations=["kok"])
    login_as(make_user(session, "coach"))
    assert client.post(f"/coach/deelnemers/{person.id}/profiel", data=_profile_form(person, ["lasser"])).status_code == 404
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["kok"]


def test_the_profile_form_without_csrf_token_changes_nothing(csrf_app, session):
    from tests.web.test_security_matrix import login_with_csrf

    coach = make_user(session, "coach")
    person = make_participant(session, coach, occupations=["kok"])
    client = csrf_app.test_client()
    login_with_csrf(client, coach)
    page = client.get(f"/coach/deelnemers/{person.id}/profiel").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    response = client.post(f"/coach/deelnemers/{person.id}/profiel", data=_profile_form(person, ["lasser"]))
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["kok"]
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    saved = client.post(f"/coach/deelnemers/{person.id}/profiel", data={**_profile_form(person, ["lasser"]), "csrf_token": token})
    assert saved.status_code == 302
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["lasser"]


# --- the autocomplete ---------------------------------------------------------------------------------------


def test_the_coach_autocomplete_offers_dutch_labels_and_tolerates_typos(session, client, login_as):
    login_as(make_user(session, "coach"))
    assert "magazijnier" in client.get("/coach/suggesties/beroepen?q=magaz").get_json()
    assert "magazijnier" in client.get("/coach/suggesties/beroepen?q=magazinier").get_json()
    assert "heftruckchauffeur" in client.get("/coach/suggesties/beroepen?q=heftruckchaufeur").get_json()
    assert client.get("/coach/suggesties/beroepen?q=m").get_json() == []


def test_the_coach_autocomplete_is_for_coaches_only(session, client, login_as):
    anonymous = client.get("/coach/suggesties/beroepen?q=kok")
    assert anonymous.status_code == 401 and anonymous.is_json
    login_as(make_user(session, "employer"))
    refused = client.get("/coach/suggesties/beroepen?q=kok")
    assert refused.status_code == 403 and refused.is_json


# --- CSV import ---------------------------------------------------------------------------------------------


def _upload(client, text: str):
    return client.post("/coach/import", data={"file": (io.BytesIO(text.encode()), "caseload.csv")}, content_type="multipart/form-data")


@pytest.mark.parametrize("column", ["occupations", "beroepen"])
def test_the_import_reads_wishes_separated_by_a_bar(session, client, login_as, column):
    coach = make_user(session, "coach")
    login_as(coach)
    text = f"first_name;last_name;postal_code;hours_per_week;{column}\nAnn;Goed;9000;30;magazijnmedewerker| heftruckchauffeur |\nBen;Leeg;2000;20;\n"
    assert _upload(client, text).status_code == 302
    people = {p.first_name: p for p in session.exec(select(Participant).where(Participant.coach_id == coach.id))}
    assert people["Ann"].occupations == ["magazijnmedewerker", "heftruckchauffeur"]
    assert people["Ben"].occupations is None


def test_the_import_refuses_too_many_or_too_long_wishes_and_names_the_line(session, client, login_as):
    login_as(make_user(session, "coach"))
    text = ("first_name,last_name,postal_code,hours_per_week,occupations\n"
            "Ann,Goed,9000,30,kok\n"
            "Ben,Veel,9000,30,kok|lasser|schilder|bakker|slager|kapper\n"
            f"Cis,Lang,9000,30,{'y' * 121}\n")
    html = _upload(client, text).get_data(as_text=True)
    assert "Regel 3: occupations: hoogstens 5 beroepswensen, gescheiden door |" in html
    assert "Regel 4: beroepswens " + "y" * 30 + "…: hoogstens 120 tekens" in html
    assert session.exec(select(func.count()).select_from(Participant)).one() == 0


def test_the_import_refuses_the_same_column_twice(session, client, login_as):
    login_as(make_user(session, "coach"))
    html = _upload(client, "first_name,last_name,postal_code,hours_per_week,occupations,beroepen\nAnn,Goed,9000,30,kok,lasser\n").get_data(as_text=True)
    assert "Regel 1: kolom occupations komt twee keer voor" in html


def test_the_import_page_documents_the_column(session, client, login_as):
    login_as(make_user(session, "coach"))
    html = client.get("/coach/import").get_data(as_text=True)
    assert "<dt>occupations</dt>" in html and "gescheiden door |" in html


# --- the pages that show the wishes ------------------------------------------------------------------------


def test_the_coach_page_shows_the_wishes_and_what_they_are_read_as(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, occupations=["magazinier", "astronaut op Mars"])
    login_as(coach)
    html = client.get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
    assert "magazinier <span class=\"muted\">(ESCO: magazijnmedewerker)</span>" in html
    assert "astronaut op Mars <span class=\"muted\">(geen ESCO-beroep herkend)</span>" in html


@pytest.mark.parametrize(
    ("language", "sentence", "empty"),
    [
        ("nl", "Je wil graag magazijnmedewerker of heftruckchauffeur worden.", "Je hebt nog geen beroepswens."),
        ("en", "You would like to work as magazijnmedewerker or heftruckchauffeur.", "You have no occupation wish yet."),
    ],
)
def test_the_participant_reads_their_wishes_in_plain_language(session, client, login_as, language, sentence, empty):
    coach = make_user(session, "coach")
    user = make_user(session, "participant", language=language)
    person = make_participant(session, coach, user=user, occupations=["magazijnmedewerker", "heftruckchauffeur"])
    login_as(user)
    assert sentence in client.get("/deelnemer/").get_data(as_text=True)
    person.occupations = None
    session.add(person)
    session.commit()
    assert empty in client.get("/deelnemer/").get_data(as_text=True)


# --- the employer's place -----------------------------------------------------------------------------------


def _place_form(**values) -> dict:
    form = {"title": "Stage in ons magazijn", "description": "Orders klaarzetten.", "sector": "logistiek", "postal_code": "9000",
            "hours_per_week": "30", "places": "1"}
    form.update(values)
    return form


def test_the_employer_chooses_the_occupation_or_the_title_names_it(session, client, login_as):
    employer_user = make_user(session, "employer")
    employer = make_employer(session, user=employer_user)
    login_as(employer_user)
    html = client.get("/werkgever/plaatsen/nieuw").get_data(as_text=True)
    assert 'name="occupation"' in html and "Leeg: we leiden het beroep af uit de titel." in html
    assert client.post("/werkgever/plaatsen/nieuw", data=_place_form(occupation="heftruckchaufeur")).status_code == 302
    assert client.post("/werkgever/plaatsen/nieuw", data=_place_form(title="Magazijnmedewerker")).status_code == 302
    assert client.post("/werkgever/plaatsen/nieuw", data=_place_form(title="Stage bij ons")).status_code == 302
    chosen, by_title, none = session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id).order_by(StagePlace.id)).all()
    from web.services.occupations import resolve_occupation

    assert chosen.occupation == "heftruckchaufeur" and chosen.title_esco_uri == resolve_occupation("heftruckchauffeur").uri
    assert by_title.occupation is None and by_title.title_esco_uri == resolve_occupation("magazijnmedewerker").uri
    assert none.title_esco_uri is None


def test_a_too_long_place_occupation_is_refused_and_the_form_keeps_its_values(session, client, login_as):
    employer_user = make_user(session, "employer")
    make_employer(session, user=employer_user)
    login_as(employer_user)
    response = client.post("/werkgever/plaatsen/nieuw", data=_place_form(occupation="z" * 121))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Maximaal 120 tekens." in html and "Stage in ons magazijn" in html
    assert session.exec(select(func.count()).select_from(StagePlace)).one() == 0


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_reads_and_replaces_the_wishes(app, client, session, two_places):
    cleaner, warehouse = two_places
    coach = make_user(session, "coach")
    person = make_participant(session, coach, skills=(("heftruck rijden", 3),), hours_per_week=30, occupations=["kok"])
    raw = token_for(app, coach)
    url = f"/api/v1/coach/participants/{person.id}"
    read = client.get(url, headers=auth(raw))
    assert read.get_json()["occupations"] == ["kok"]
    changed = client.patch(url, json={"occupations": ["magazijnmedewerker", "heftruckchauffeur"]},
                           headers=auth(raw, **{"If-Match": read.headers["ETag"]}))
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["occupations"] == ["magazijnmedewerker", "heftruckchauffeur"]
    assert [s["name"] for s in changed.get_json()["skills"]] == ["heftruck rijden"]  # the rest of the profile is kept
    scores = _scores(session, person)
    assert scores[warehouse.id] > scores[cleaner.id]  # the update refreshed the matches with the wish
    cleared = client.patch(url, json={"occupations": []}, headers=auth(raw, **{"If-Match": changed.headers["ETag"]}))
    assert cleared.status_code == 200 and cleared.get_json()["occupations"] is None


@pytest.mark.parametrize(
    "occupations",
    [["kok", "lasser", "schilder", "bakker", "slager", "kapper"], ["w" * 5000], "kok", [1, 2]],
)
def test_the_api_refuses_bad_wishes_with_a_problem(app, client, session, occupations):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, occupations=["kok"])
    raw = token_for(app, coach)
    url = f"/api/v1/coach/participants/{person.id}"
    etag = client.get(url, headers=auth(raw)).headers["ETag"]
    response = client.patch(url, json={"occupations": occupations}, headers=auth(raw, **{"If-Match": etag}))
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert any(e["pointer"].startswith("/occupations") for e in response.get_json()["errors"])
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["kok"]


def test_the_api_gives_the_forms_message_for_markup_in_a_wish(app, client, session):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    raw = token_for(app, coach)
    url = f"/api/v1/coach/participants/{person.id}"
    etag = client.get(url, headers=auth(raw)).headers["ETag"]
    response = client.patch(url, json={"occupations": ["kok", "<i>lasser</i>"]}, headers=auth(raw, **{"If-Match": etag, "Accept-Language": "en"}))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/occupations/1"


def test_another_coachs_participant_stays_hidden_in_the_api(app, client, session):
    person = make_participant(session, make_user(session, "coach"), occupations=["kok"])
    raw = token_for(app, make_user(session, "coach"))
    url = f"/api/v1/coach/participants/{person.id}"
    assert client.get(url, headers=auth(raw)).status_code == 404
    assert client.patch(url, json={"occupations": ["lasser"]}, headers=auth(raw, **{"If-Match": '"x"'})).status_code == 404
    session.expire_all()
    assert session.get(Participant, person.id).occupations == ["kok"]


def test_the_openapi_document_describes_the_wishes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    update = next(v for k, v in schemas.items() if k.startswith("ParticipantUpdate"))
    out = next(v for k, v in schemas.items() if k.startswith("ParticipantOut"))
    assert "occupations" in update["properties"] and "occupations" in out["properties"]
    assert "at most 5" in update["properties"]["occupations"]["description"]
