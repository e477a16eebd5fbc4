"""Coach area pages: caseload, profile and skills, matches with reasons, proposals through the pipeline, phases."""
from datetime import date, timedelta

from sqlalchemy import event
from sqlmodel import select

from tests.conftest import make_employer, make_meeting, make_participant, make_place, make_proposal, make_user
from web.models import (
    HoldPeriod,
    MatchSuggestion,
    ParticipantNote,
    ParticipantSkill,
    PhasePeriod,
    Proposal,
    Setting,
    Trajectory,
)
from web.services.matching import refresh_matches_for_participant, refresh_matches_for_place


def _refresh(app, participant_id):
    from sqlmodel import Session

    with Session(app.extensions["db_engine"]) as db:
        refresh_matches_for_participant(session=db, participant_id=participant_id)
        db.commit()


def test_caseload_lists_own_participants_with_phase_and_days(session, client, login_as):
    coach = make_user(session, "coach")
    mine = make_participant(session, coach, first_name="Sofie", last_name="Peeters")
    other = make_participant(session, make_user(session, "coach"), first_name="Niet", last_name="Mijn")
    login_as(coach)
    html = client.get("/coach/deelnemers").get_data(as_text=True)
    assert "Sofie Peeters" in html and "Niet Mijn" not in html
    assert "20 van 90" in html  # make_participant starts the phase 20 days ago; jobmatching max is 90
    assert mine.id != other.id


def test_caseload_uses_configured_phase_maximum_and_filters(session, client, login_as):
    coach = make_user(session, "coach")
    make_participant(session, coach, first_name="Ann", phase="voortraject")
    make_participant(session, coach, first_name="Bert", phase="jobmatching")
    session.add(Setting(key="phase_max_days", value={"voortraject": 10}))
    session.commit()
    login_as(coach)
    html = client.get("/coach/deelnemers?te_laat=1").get_data(as_text=True)
    assert "Ann" in html and "Bert" not in html and "20 van 10" in html
    html = client.get("/coach/deelnemers?fase=jobmatching").get_data(as_text=True)
    assert "Bert" in html and "Ann" not in html
    html = client.get("/coach/deelnemers?q=bert").get_data(as_text=True)
    assert "Bert" in html and "Ann" not in html


def test_caseload_query_count_does_not_grow_with_caseload(app, session, client, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    place = make_place(session, employer)
    first = make_participant(session, coach)
    make_proposal(session, first, place)
    login_as(coach)
    counts = []
    engine = app.extensions["db_engine"]
    for extra in (0, 12):
        for _ in range(extra):
            p = make_participant(session, coach)
            make_proposal(session, p, place)
            session.add(ParticipantNote(participant_id=p.id, body="x"))
            session.commit()
        statements: list = []

        def listener(*args, _statements=statements):
            _statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/coach/deelnemers").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_editing_skills_refreshes_ranked_places(app, session, client, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    forklift = make_place(session, employer, title="Heftruckchauffeur", skills=(("heftruck rijden", True, 2),))
    garden = make_place(session, employer, title="Groenarbeider", sector="groen", skills=(("snoeien", True, 2), ("grasmaaien", True, 2)))
    person = make_participant(session, coach, skills=(("heftruck rijden", 3),), hours_per_week=30)
    _refresh(app, person.id)
    login_as(coach)
    html = client.get(f"/coach/deelnemers/{person.id}/plaatsen").get_data(as_text=True)
    assert html.index("Heftruckchauffeur") < html.index("Groenarbeider")
    form = {
        "first_name": person.first_name, "last_name": person.last_name, "postal_code": "9000", "max_distance_km": "25", "hours_per_week": "30",
        "dutch_level": "B1", "skills-0-name": "snoeien", "skills-0-level": "3", "skills-1-name": "grasmaaien", "skills-1-level": "3",
    }
    response = client.post(f"/coach/deelnemers/{person.id}/profiel", data=form)
    assert response.status_code == 302
    html = client.get(f"/coach/deelnemers/{person.id}/plaatsen").get_data(as_text=True)
    assert html.index("Groenarbeider") < html.index("Heftruckchauffeur")
    assert "Ontbreekt: heftruck rijden" in html
    skills = session.exec(select(ParticipantSkill.name).where(ParticipantSkill.participant_id == person.id)).all()
    assert sorted(skills) == ["grasmaaien", "snoeien"]
    assert forklift.id != garden.id


def test_excluded_places_are_shown_with_their_reason(app, session, client, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    make_place(session, employer, title="Chauffeur", driving_licence=True)
    person = make_participant(session, coach, hours_per_week=38)
    _refresh(app, person.id)
    login_as(coach)
    assert "Chauffeur" not in client.get(f"/coach/deelnemers/{person.id}/plaatsen").get_data(as_text=True)
    html = client.get(f"/coach/deelnemers/{person.id}/plaatsen?uitgesloten=1").get_data(as_text=True)
    assert "Chauffeur" in html and "Een rijbewijs is nodig." in html


def test_place_page_ranks_this_coaches_participants(app, session, client, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    place = make_place(session, employer, title="Magazijn")
    good = make_participant(session, coach, first_name="Goed", skills=(("heftruck rijden", 4),))
    make_participant(session, make_user(session, "coach"), first_name="Vreemd")
    from sqlmodel import Session

    with Session(app.extensions["db_engine"]) as db:
        refresh_matches_for_place(session=db, place_id=place.id)
        db.commit()
    login_as(coach)
    html = client.get(f"/coach/stageplaatsen/{place.id}").get_data(as_text=True)
    assert "Goed" in html and "Vreemd" not in html
    assert good.id


def test_propose_then_pipeline_moves_trajectory_to_stage_phase(app, session, client, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    place = make_place(session, employer)
    person = make_participant(session, coach)
    login_as(coach)
    url = f"/coach/deelnemers/{person.id}/voorstel/{place.id}"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"motivation": ""}).status_code == 422
    assert client.post(url, data={"motivation": "Sterk in orderpicking."}).status_code == 302
    proposal = session.exec(select(Proposal).where(Proposal.participant_id == person.id)).one()
    assert proposal.motivation == "Sterk in orderpicking."
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "participant_agreed"})
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "intake_planned"})
    session.refresh(proposal)
    assert proposal.state == "participant_agreed"  # no confirmed meeting yet
    make_meeting(session, proposal)
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "intake_planned"})
    session.refresh(proposal)
    assert proposal.state == "intake_planned"
    response = client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "stage_agreed"})
    assert response.status_code == 422 and "begin- en einddatum" in response.get_data(as_text=True)
    start = date.today() + timedelta(days=7)
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "stage_agreed", "stage_start": start.isoformat(), "stage_end": (start + timedelta(days=56)).isoformat()})
    session.refresh(proposal)
    assert proposal.state == "stage_agreed" and proposal.stage_start == start
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == person.id)).one()
    session.refresh(trajectory)
    assert trajectory.current_phase == "stage"
    periods = session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id).order_by(PhasePeriod.id)).all()
    assert [p.phase for p in periods] == ["jobmatching", "stage"] and periods[0].ended_on is not None
    for state in ("stage_running", "stage_completed", "hired"):
        client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": state})
    session.refresh(trajectory)
    assert trajectory.current_phase == "nazorg" and trajectory.outcome == "hired"


def test_transition_not_in_table_is_refused(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    proposal = make_proposal(session, person, make_place(session, make_employer(session)))
    login_as(coach)
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "hired"})
    session.refresh(proposal)
    assert proposal.state == "proposed"


def test_withdraw_needs_no_reason_but_decline_does(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    place = make_place(session, make_employer(session))
    proposal = make_proposal(session, person, place)
    login_as(coach)
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "declined"})
    session.refresh(proposal)
    assert proposal.state == "proposed"
    client.post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "declined", "reason": "distance"})
    session.refresh(proposal)
    assert proposal.state == "declined" and proposal.decline_reason == "distance"


def test_manual_phase_change_needs_reason_and_hold_stops_clock(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, phase="voortraject")
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/fase", data={"phase": "jobmatching", "reason": ""})
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == person.id)).one()
    session.refresh(trajectory)
    assert trajectory.current_phase == "voortraject"
    client.post(f"/coach/deelnemers/{person.id}/fase", data={"phase": "jobmatching", "reason": "Klaar met voortraject"})
    session.refresh(trajectory)
    assert trajectory.current_phase == "jobmatching"
    client.post(f"/coach/deelnemers/{person.id}/pauze", data={"action": "hold", "reason": "Ziekte"})
    hold = session.exec(select(HoldPeriod)).one()
    assert hold.ended_on is None and hold.reason == "Ziekte"
    assert "in pauze" in client.get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
    client.post(f"/coach/deelnemers/{person.id}/pauze", data={"action": "resume"})
    session.refresh(hold)
    assert hold.ended_on is not None


def test_hold_days_do_not_count_in_phase_clock(session):
    from web.services.trajectories import phase_clock

    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == person.id)).one()
    period = session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id)).one()
    session.add(HoldPeriod(phase_period_id=period.id, started_on=date.today() - timedelta(days=10), ended_on=date.today() - timedelta(days=5)))
    session.commit()
    clock = phase_clock(session=session, trajectory=trajectory)
    assert clock.days_used == 15 and clock.max_days == 90


def test_notes_appear_on_timeline_and_count_as_contact(session, client, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    login_as(coach)
    client.post(f"/coach/deelnemers/{person.id}/notities", data={"body": "Gesprek over stage in de groendienst"})
    session.refresh(person)
    assert person.last_contact_at is not None
    assert "Gesprek over stage in de groendienst" in client.get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)


def test_new_participant_gets_trajectory_and_matches(session, client, login_as):
    coach = make_user(session, "coach")
    make_place(session, make_employer(session), title="Heftruckchauffeur")
    login_as(coach)
    response = client.post("/coach/deelnemers/nieuw", data={
        "first_name": "Nieuw", "last_name": "Persoon", "postal_code": "9000", "max_distance_km": "20", "hours_per_week": "35",
        "phase": "jobmatching", "skills-0-name": "heftruck rijden", "skills-0-level": "3",
    })
    assert response.status_code == 302
    from web.models import Participant

    person = session.exec(select(Participant).where(Participant.first_name == "Nieuw")).one()
    assert person.coach_id == coach.id
    assert session.exec(select(Trajectory).where(Trajectory.participant_id == person.id)).one().current_phase == "jobmatching"
    assert session.exec(select(MatchSuggestion).where(MatchSuggestion.participant_id == person.id)).first() is not None


def test_suggested_assignments_do_not_send_two_to_a_single_place(app, session, client, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)
    one = make_place(session, employer, title="Enige plaats")
    a = make_participant(session, coach, first_name="Alfa")
    b = make_participant(session, coach, first_name="Beta")
    login_as(coach)
    html = client.get("/coach/koppelingen").get_data(as_text=True)
    assert html.count("Enige plaats") == 1
    chosen = a if "Alfa" in html else b
    assert f"/coach/deelnemers/{chosen.id}/voorstel/{one.id}?koppeling=1" in html
    response = client.post(f"/coach/deelnemers/{chosen.id}/voorstel/{one.id}", data={"koppeling": "1", "motivation": "Past goed."})
    assert response.status_code == 302
    proposal = session.exec(select(Proposal)).one()
    assert proposal.participant_id == chosen.id and proposal.state == "proposed"


def test_suggested_assignments_list_the_strongest_match_first(app, session):
    from web.services.matching import suggest_assignments

    coach = make_user(session, "coach")
    employer = make_employer(session)
    make_place(session, employer, title="Heftruckchauffeur", skills=(("heftruck rijden", True, 2),))
    make_place(session, employer, title="Schoonmaker", sector="schoonmaak", skills=(("poetsen", True, 2), ("ramen wassen", True, 3)))
    make_participant(session, coach, first_name="Zwak", skills=(("poetsen", 1),))
    make_participant(session, coach, first_name="Sterk", skills=(("heftruck", 4),))
    with app.app_context():
        from web.db import get_session

        rows = suggest_assignments(session=get_session(), coach_ids=[coach.id])
    assert len(rows) == 2
    assert [r["participant"].first_name for r in rows] == ["Sterk", "Zwak"]
    assert rows[0]["score"] > rows[1]["score"]
