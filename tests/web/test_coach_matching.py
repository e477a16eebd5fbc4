"""Stored match suggestions: upsert per pair, incremental and full refresh, one engine per process, plain-language reasons."""
from datetime import timedelta
from pathlib import Path

from sqlmodel import func, select

from tests.conftest import make_employer, make_participant, make_place, make_user
from web.models import MatchSuggestion, SkillTerm, StagePlace, utcnow
from web.services import matching as svc


def test_refresh_upserts_one_row_per_pair_and_keeps_release_flag(app, session):
    coach = make_user(session, "coach")
    place = make_place(session, make_employer(session))
    person = make_participant(session, coach)
    svc.refresh_matches_for_participant(session=session, participant_id=person.id)
    row = session.exec(select(MatchSuggestion)).one()
    row.released_to_participant = True
    session.commit()
    svc.refresh_matches_for_participant(session=session, participant_id=person.id)
    svc.refresh_matches_for_place(session=session, place_id=place.id)
    session.commit()
    rows = session.exec(select(MatchSuggestion)).all()
    assert len(rows) == 1 and rows[0].released_to_participant is True and rows[0].engine_version
    assert rows[0].explanation["matched"][0]["requirement"] == "heftruck rijden"


def test_closed_place_loses_its_suggestions(app, session):
    coach = make_user(session, "coach")
    place = make_place(session, make_employer(session))
    person = make_participant(session, coach)
    svc.refresh_matches_for_participant(session=session, participant_id=person.id)
    place.status = "closed"
    session.add(place)
    svc.refresh_matches_for_place(session=session, place_id=place.id)
    session.commit()
    assert session.exec(select(func.count()).select_from(MatchSuggestion)).one() == 0


def test_incremental_refresh_only_touches_changed_rows_and_full_refresh_covers_all(app, session):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    make_place(session, employer)
    old = make_participant(session, coach)
    since = utcnow()
    new = make_participant(session, coach)
    result = svc.refresh_all_matches(session=session, changed_since=since - timedelta(seconds=0))
    session.commit()
    pids = set(session.exec(select(MatchSuggestion.participant_id)).all())
    assert new.id in pids and old.id not in pids and result["participants"] == 1
    svc.refresh_all_matches(session=session)
    session.commit()
    assert set(session.exec(select(MatchSuggestion.participant_id)).all()) == {old.id, new.id}


def test_place_changed_since_is_refreshed(app, session):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    since = utcnow()
    place = make_place(session, make_employer(session))
    session.exec(select(StagePlace)).all()
    svc.refresh_all_matches(session=session, changed_since=since)
    session.commit()
    assert session.exec(select(MatchSuggestion).where(MatchSuggestion.place_id == place.id, MatchSuggestion.participant_id == person.id)).one()


def test_engine_is_built_once_per_process(app, session):
    assert svc.get_engine(session=session) is svc.get_engine(session=session)


def test_engine_knows_esco_skills_and_keeps_their_preparation_in_the_instance_folder(app, session):
    with app.app_context():
        vocabulary = svc.get_engine(session=session).vocabulary
    (lift,) = vocabulary.resolve(["lift patients"])  # an English ESCO label no Dutch entry lists
    assert lift.entry >= 0 and vocabulary.entries[lift.entry].esco_uri.startswith("http://data.europa.eu/esco/skill/")
    assert list(Path(app.instance_path).glob("vocabulary-*.npz"))


def test_engine_on_skill_terms_joins_esco_skills_by_uri(app, session):
    uri = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"
    session.add(SkillTerm(id="heftruck", label_nl="heftruck rijden", variants_nl=["vorkheftruck"], label_en="forklift driving",
                          esco_uri=uri, group="logistiek"))
    session.commit()
    vocabulary = svc.get_engine(session=session).vocabulary
    entry = vocabulary.entries[vocabulary.entry_for("heftruck")]
    assert entry.esco_labels and entry.skill_groups
    (drive,) = vocabulary.resolve(["drive a forklift"])  # ESCO's alternative label of the linked skill
    assert vocabulary.entries[drive.entry].id == "heftruck"


def test_participant_without_postal_code_is_not_scored(app, session):
    coach = make_user(session, "coach")
    make_place(session, make_employer(session))
    person = make_participant(session, coach, postal_code=None)
    assert svc.refresh_matches_for_participant(session=session, participant_id=person.id) == 0


def test_explain_lines_for_coach_and_participant(app):
    from web.coach.explain import explain_lines

    explanation = {
        "matched": [{"requirement": "heftruck rijden", "skill": "heftruck", "level": 3, "min_level": 2, "required": True}],
        "missing": [{"requirement": "orderpicking", "required": True, "min_level": 2}],
        "distance_km": 6.4, "exclusions": [{"code": "distance", "km": 40.2, "max_km": 25}],
        "improvements": [{"code": "add_skill", "skill": "orderpicking", "level": 2, "gain": 12.5}, {"code": "more_distance", "km": 10, "gain": 3}],
    }
    with app.test_request_context():
        coach = explain_lines(explanation)
        participant = explain_lines(explanation, audience="participant")
    assert "Te ver: 40 km, maximum is 25 km." in coach
    assert "Past: heftruck rijden (vereist) — de deelnemer kan „heftruck” op niveau 3 (gevraagd: 2)." in coach
    assert "Ontbreekt: orderpicking (vereist, minstens niveau 2)." in coach
    assert any(line.startswith("Hoger met orderpicking") for line in coach)
    assert "Je leert nog: orderpicking." in participant and not any("punten" in line for line in participant)
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session as flask_session

        flask_session["lang"] = "en"
        assert "Missing: orderpicking (required, at least level 2)." in explain_lines(explanation)


def test_explain_lines_show_the_share_of_the_profile_used_and_the_occupation_wish(app):
    from web.coach.explain import explain_lines

    explanation = {
        "components": {"precision": {"value": 0.5, "weight": 0.2, "points": 10.0}},
        "matched": [{"requirement": "heftruck rijden", "skill": "heftruck", "level": 3, "min_level": 2, "required": True}],
        "missing": [], "distance_km": 3.0, "exclusions": [], "improvements": [],
        "occupation": {"wish": "magazijnmedewerker", "match": "same"},
    }
    with app.test_request_context():
        coach = explain_lines(explanation, name="Dana")
        participant = explain_lines(explanation, audience="participant")
    assert "Deze plaats gebruikt 50% van het profiel van Dana." in coach
    assert "Beroepswens van Dana: magazijnmedewerker — dat is deze job." in coach
    assert "Je wil graag magazijnmedewerker worden: dat is deze job." in participant
    related = dict(explanation, occupation={"wish": "magazijnmedewerker", "match": "group"})
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session as flask_session

        flask_session["lang"] = "en"
        assert "You would like to become magazijnmedewerker: this job is close to it." in explain_lines(related, audience="participant")
        assert "This place uses 50% of the profile of Dana." in explain_lines(explanation, name="Dana")
