"""A place's capacity is never exceeded: two coaches agreeing the last place at the same moment, exactly one succeeds."""
import threading
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from tests.conftest import login, make_employer, make_participant, make_place, make_proposal, make_user
from web.models import Proposal

START = date.today() + timedelta(days=7)
STAGE_DATES = {"to_state": "stage_agreed", "stage_start": START.isoformat(), "stage_end": (START + timedelta(days=56)).isoformat()}


def test_two_coaches_agreeing_the_last_place_at_once_exactly_one_succeeds(app, session, postgres_url):
    if postgres_url is None:
        pytest.skip("needs PostgreSQL row locks and concurrent connections: set TEST_DATABASE_URL (SQLite serialises writers anyway)")
    place = make_place(session, make_employer(session), places=1)
    coaches = [make_user(session, "coach"), make_user(session, "coach")]
    proposals = [make_proposal(session, make_participant(session, coach), place, state="intake_planned") for coach in coaches]
    clients = []
    for coach in coaches:
        client = app.test_client()
        assert login(client, coach.email).status_code == 302
        clients.append(client)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def agree(client, proposal_id):
        barrier.wait()
        response = client.post(f"/coach/voorstellen/{proposal_id}/status", data=STAGE_DATES)
        statuses.append(response.status_code)

    for _round in range(3):  # repeat to make the race real, resetting the two proposals between rounds
        statuses.clear()
        threads = [threading.Thread(target=agree, args=(c, p.id)) for c, p in zip(clients, proposals, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert statuses == [302, 302]
        session.expire_all()
        agreed = session.exec(select(func.count()).select_from(Proposal).where(Proposal.place_id == place.id, Proposal.state == "stage_agreed")).one()
        assert agreed == 1
        for p in proposals:
            row = session.get(Proposal, p.id)
            row.state = "intake_planned"
            session.add(row)
        session.commit()


def test_agreeing_a_full_place_is_refused(session, client, login_as):
    place = make_place(session, make_employer(session), places=1)
    coach = make_user(session, "coach")
    make_proposal(session, make_participant(session, coach), place, state="stage_running")
    waiting = make_proposal(session, make_participant(session, coach), place, state="intake_planned")
    login_as(coach)
    html = client.post(f"/coach/voorstellen/{waiting.id}/status", data=STAGE_DATES, follow_redirects=True).get_data(as_text=True)
    assert "Alle plaatsen van deze stageplaats zijn al ingenomen." in html
    session.refresh(waiting)
    assert waiting.state == "intake_planned"
