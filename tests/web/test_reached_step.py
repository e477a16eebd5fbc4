"""The funnel step kept on each proposal: raised by every event, never lowered, backfilled by migration 0009."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import ProposalEvent
from web.services.proposals import transition_proposal

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "migrations" / "alembic.ini"


def test_events_raise_the_step_and_a_decline_keeps_it(app, session):
    coach = make_user(session, "coach")
    place = make_place(session, make_employer(session))
    proposal = make_proposal(session, make_participant(session, coach), place, state="employer_interested")
    assert proposal.reached_step == 0
    session.add(ProposalEvent(proposal_id=proposal.id, from_state="employer_interested", to_state="intake_planned"))
    proposal.state = "intake_planned"
    session.commit()
    session.refresh(proposal)
    assert proposal.reached_step == 1
    transition_proposal(session=session, proposal=proposal, to_state="declined", actor=coach, data={"reason": "other"})
    session.commit()
    session.refresh(proposal)
    assert proposal.state == "declined" and proposal.reached_step == 1


def test_migration_0009_backfills_from_the_events(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = Config(str(ALEMBIC_INI))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0008")
        # foreign keys are not enforced on this plain SQLite connection: only the two tables the backfill reads
        for pid, path in ((1, ["proposed", "stage_agreed", "stage_running", "declined"]), (2, ["proposed"])):
            conn.execute(text("INSERT INTO proposal (id, participant_id, place_id, state, created_at, updated_at)"
                              " VALUES (:id, 1, 1, :state, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": pid, "state": path[-1]})
            for state in path:
                conn.execute(text("INSERT INTO proposal_event (proposal_id, to_state, at) VALUES (:p, :s, CURRENT_TIMESTAMP)"),
                             {"p": pid, "s": state})
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT id, reached_step FROM proposal ORDER BY id")).all()) == {1: 2, 2: 0}
    engine.dispose()
