"""Warming a web process before gunicorn forks its workers, and the JSON written to PostgreSQL's json columns."""
from __future__ import annotations

import json

import numpy as np
from sqlalchemy import event

from tests.conftest import make_employer, make_participant, make_place, make_user
from web.db import _json_dumps
from web.services import matching as svc


def test_a_warmed_process_serves_the_open_places_and_participants_without_loading_them(app, session):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    for k in range(3):
        make_place(session, employer, title=f"Plaats {k}")
    for _ in range(2):
        make_participant(session, coach)
    session.commit()
    figures = svc.warm(app)
    assert figures == {"places": 3, "participants": 2}
    seen: list[str] = []
    bind = session.get_bind()

    def record(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        engine = svc.get_engine(session=session)
        places = svc.open_vacancies(session=session, engine=engine)
        people = svc.active_participants(session=session, engine=engine)
    finally:
        event.remove(bind, "before_cursor_execute", record)
    assert len(places) == 3 and len(people) == 2
    assert len(seen) == 3, seen  # the vocabulary's, the places' and the participants' version: nothing loaded


def test_a_warm_up_on_an_empty_database_does_not_fail(app, session):
    assert svc.warm(app) == {"places": 0, "participants": 0}


def test_json_for_postgresql_reads_back_as_the_standard_library_would():
    value = {"score": 71.5, "matched": [{"requirement": "heftruck rijden", "similarity": np.float32(0.5)}], 3: "drie",
             "label": "Schoonmaak — café"}
    assert json.loads(_json_dumps(value)) == {"score": 71.5, "matched": [{"requirement": "heftruck rijden", "similarity": 0.5}],
                                              "3": "drie", "label": "Schoonmaak — café"}
    assert isinstance(_json_dumps([1, 2]), str)
