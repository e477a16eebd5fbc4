"""The per-process list of open places: reused while nothing changed, reloaded after every change that matters."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import Proposal
from web.services import matching as svc
from web.services.places import change_place_status, save_place
from web.services.proposals import transition_proposal
from web.services.vetting import review_employer


@pytest.fixture
def world(app, session):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    places = [make_place(session, employer, title=f"Plaats {k}", places=2) for k in range(3)]
    person = make_participant(session, coach)
    return {"coach": coach, "employer": employer, "places": places, "person": person}


def statements_during(session, action):
    seen: list[str] = []
    bind = session.get_bind()

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        result = action()
    finally:
        event.remove(bind, "before_cursor_execute", record)
    return result, seen


def current(session):
    return svc.open_vacancies(session=session, engine=svc.get_engine(session=session))


def test_an_unchanged_list_is_reused_with_one_statement(world, session):
    first = current(session)
    assert sorted(v.id for v in first) == sorted(p.id for p in world["places"])
    second, sent = statements_during(session, lambda: current(session))
    assert second is first
    # the vocabulary check of get_engine and the version: nothing of the places themselves is read again
    assert len(sent) == 2, sent
    assert first == svc.load_vacancies(session=session, engine=svc.get_engine(session=session))


def test_editing_a_place_reloads_it(world, session):
    first = current(session)
    place = world["places"][0]
    save_place(session=session, employer=world["employer"], actor=make_user(session, "employer"), place=place,
               values={"hours_per_week": 12}, skills=[{"name": "kassawerk", "required": True, "min_level": 2}])
    session.commit()
    again = current(session)
    assert again is not first
    changed = next(v for v in again if v.id == place.id)
    assert changed.hours_per_week == 12 and [s.name for s in changed.skills] == ["kassawerk"]
    assert again == svc.load_vacancies(session=session, engine=svc.get_engine(session=session))


def test_pausing_a_place_removes_it(world, session):
    current(session)
    place = world["places"][1]
    change_place_status(session=session, place=place, action="pause", actor=make_user(session, "employer"))
    session.commit()
    assert place.id not in {v.id for v in current(session)}


def test_capacity_taken_and_released_is_seen(world, session):
    place = world["places"][2]
    proposal = make_proposal(session, world["person"], place, state="intake_planned")
    before = {v.id: v.filled for v in current(session)}
    assert before[place.id] == 0
    transition_proposal(session=session, proposal=proposal, to_state="stage_agreed", actor=world["coach"],
                        stage_start=date.today() + timedelta(days=7), stage_end=date.today() + timedelta(days=60))
    session.commit()
    assert {v.id: v.filled for v in current(session)}[place.id] == 1
    # a capacity released without touching the place (a stage that ended in another state) still counts
    session.exec(select(Proposal).where(Proposal.id == proposal.id)).one().state = "declined"
    session.commit()
    assert {v.id: v.filled for v in current(session)}[place.id] == 0


def test_an_organisation_no_longer_approved_loses_its_places(world, session):
    assert len(current(session)) == 3
    admin = make_user(session, "admin")
    review_employer(session=session, employer=world["employer"], admin=admin, action="refuse", message="Geen KBO-inschrijving")
    session.commit()
    assert current(session) == []


def test_each_database_has_its_own_list(world, session, app):
    from sqlmodel import Session

    from web.db import build_engine

    first = current(session)
    other = build_engine(app.config["DATABASE_URL"])
    try:
        with Session(other) as second_session:
            assert svc.open_vacancies(session=second_session, engine=svc.get_engine(session=second_session)) is not first
    finally:
        other.dispose()


def test_a_profile_save_and_assignments_use_the_kept_list(world, session, monkeypatch):
    current(session)
    calls = []
    real = svc.load_vacancies
    monkeypatch.setattr(svc, "load_vacancies", lambda **kw: calls.append(kw) or real(**kw))
    svc.refresh_matches_for_participant(session=session, participant_id=world["person"].id)
    svc.suggest_assignments(session=session, coach_ids=[world["coach"].id])
    assert calls == []
