"""The chunked refresh of stored suggestions: the fast path's rows, nothing written when nothing changed,
consistent per participant when a refresh stops half-way, the release flag kept."""
from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from tests.conftest import make_employer, make_participant, make_place, make_user
from web.models import MatchSuggestion, Participant, utcnow
from web.services import matching as svc

SKILLS = [(("heftruck", 3),), (("kassa", 2), ("heftruck", 1)), (("schoonmaken", 2),), (("orderpicking", 2), ("VCA", 2))]


@pytest.fixture
def region(app, session):
    """Five places and seven participants, some too far or with too few hours, so excluded rows are stored too."""
    coach = make_user(session, "coach")
    employer = make_employer(session)
    for k, postal in enumerate(("9000", "9000", "2000", "8400", "3500")):
        make_place(session, employer, skills=(("heftruck rijden", True, 2), ("kassawerk", k % 2 == 0, 1)),
                   postal_code=postal, hours_per_week=20 + 4 * k)
    people = [make_participant(session, coach, skills=SKILLS[i % len(SKILLS)], hours_per_week=24 + 3 * i,
                               postal_code=("9000", "2000", "9050")[i % 3]) for i in range(7)]
    session.commit()
    return people


def stored(session) -> dict[tuple[int, int], tuple]:
    session.expire_all()
    return {(m.participant_id, m.place_id): (m.score, m.excluded, m.explanation, m.content_hash)
            for m in session.exec(select(MatchSuggestion)).all()}


def expected_rows(session) -> dict[tuple[int, int], tuple]:
    """What the former refresh stored: per participant, rank_places(top=50, include_excluded=True)."""
    engine = svc.get_engine(session=session)
    vacancies = svc.load_vacancies(session=session, engine=engine)
    declined = svc.declined_pairs(session=session)
    rows = {}
    for person in svc.load_participants(session=session, engine=engine):
        for r in engine.rank_places(person, vacancies, top=svc.STORED_PER_PARTICIPANT, declined=declined, include_excluded=True):
            rows[(r.participant_id, r.vacancy_id)] = (r.score, r.excluded, r.explanation)
    return rows


def writes_during(session, action) -> list[str]:
    """The INSERT, UPDATE and DELETE statements sent while running action()."""
    seen: list[str] = []
    bind = session.get_bind()

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(bind, "before_cursor_execute", record)
    return seen


def test_chunked_refresh_stores_exactly_the_rankings_of_the_engine(region, session, monkeypatch):
    monkeypatch.setattr(svc, "REFRESH_CHUNK", 2)
    result = svc.refresh_all_matches(session=session)
    session.commit()
    rows = stored(session)
    assert {pair: row[:3] for pair, row in rows.items()} == expected_rows(session)
    assert any(row[1] for row in rows.values()) and not all(row[1] for row in rows.values())
    assert result["written"] == len(rows) and result["unchanged"] == 0


def test_a_refresh_that_changes_nothing_writes_nothing(region, session, monkeypatch):
    monkeypatch.setattr(svc, "REFRESH_CHUNK", 3)
    svc.refresh_all_matches(session=session)
    session.commit()
    before = session.exec(select(MatchSuggestion.id, MatchSuggestion.computed_at)).all()
    result = {}
    writes = writes_during(session, lambda: result.update(svc.refresh_all_matches(session=session)))
    session.commit()
    assert writes == []
    assert result["written"] == 0 and result["deleted"] == 0 and result["unchanged"] == len(before)
    assert session.exec(select(MatchSuggestion.id, MatchSuggestion.computed_at)).all() == before


def test_a_changed_participant_rewrites_only_their_rows_and_keeps_the_release_flag(region, session):
    svc.refresh_all_matches(session=session)
    session.commit()
    person = region[0]
    released = session.exec(select(MatchSuggestion).where(MatchSuggestion.participant_id == person.id)).first()
    released.released_to_participant = True
    session.commit()
    person = session.get(Participant, person.id)
    person.hours_per_week = 30
    session.commit()
    result = svc.refresh_all_matches(session=session)
    session.commit()
    own = session.exec(select(func.count()).select_from(MatchSuggestion).where(MatchSuggestion.participant_id == person.id)).one()
    assert result["written"] == own and result["deleted"] == 0
    session.refresh(released)
    assert released.released_to_participant is True
    assert {pair: row[:3] for pair, row in stored(session).items()} == expected_rows(session)


def test_pairs_that_fell_out_are_deleted(region, session):
    svc.refresh_all_matches(session=session)
    session.commit()
    person = session.get(Participant, region[1].id)
    person.active = False
    session.commit()
    svc.refresh_all_matches(session=session)
    session.commit()
    assert person.id not in {pid for pid, _ in stored(session)}
    assert {pair: row[:3] for pair, row in stored(session).items()} == expected_rows(session)


def test_a_refresh_stopped_after_the_first_chunk_leaves_each_participant_all_old_or_all_new(region, session, monkeypatch):
    monkeypatch.setattr(svc, "REFRESH_CHUNK", 3)
    svc.refresh_all_matches(session=session)
    session.commit()
    old = stored(session)
    for person in session.exec(select(Participant)).all():
        person.hours_per_week += 1  # every participant's hours component changes
    session.commit()
    new = expected_rows(session)

    class Stop(Exception):
        pass

    calls = []

    def commit_then_stop():
        session.commit()
        calls.append(1)
        if len(calls) == 1:
            raise Stop

    with pytest.raises(Stop):
        svc.refresh_all_matches(session=session, on_chunk=commit_then_stop)
    session.rollback()
    rows = stored(session)
    by_person: dict[int, set[str]] = {}
    for pair, row in rows.items():
        if pair in new and row[:3] == new[pair]:
            state = "new"
        elif pair in old and row == old[pair]:
            state = "old"
        else:
            state = "neither"
        by_person.setdefault(pair[0], set()).add(state)
    assert all(len(states) == 1 and states != {"neither"} for states in by_person.values()), by_person
    assert sorted(states.pop() for states in by_person.values()).count("new") == 3  # exactly the first chunk


def test_a_place_edit_stores_the_place_only_where_the_nightly_run_would(app, session, monkeypatch):
    """A participant keeps at most STORED_PER_PARTICIPANT places: a refreshed place enters a full list only when it
    beats the lowest one there, and a pair already stored is always rewritten with its new score."""
    monkeypatch.setattr(svc, "STORED_PER_PARTICIPANT", 2)
    coach = make_user(session, "coach")
    employer = make_employer(session)
    strong = [make_place(session, employer, skills=(("heftruck rijden", True, 2),), title=f"Sterk {k}") for k in range(2)]
    person = make_participant(session, coach, skills=(("heftruck rijden", 3), ("kassawerk", 2)))
    svc.refresh_all_matches(session=session)
    session.commit()
    assert set(stored(session)) == {(person.id, p.id) for p in strong}
    weak = make_place(session, employer, skills=(("lassen", True, 3), ("schilderen", True, 3)), title="Zwak")
    svc.refresh_matches_for_place(session=session, place_id=weak.id)
    session.commit()
    assert (person.id, weak.id) not in stored(session)  # a full list, and a lower score than both kept places
    better = make_place(session, employer, skills=(("heftruck rijden", True, 2), ("kassawerk", True, 1)), title="Beter")
    svc.refresh_matches_for_place(session=session, place_id=better.id)
    session.commit()
    rows = stored(session)
    assert (person.id, better.id) in rows
    assert rows[(person.id, better.id)][0] > min(rows[(person.id, p.id)][0] for p in strong)
    # the pair is stored now: a later edit that lowers its score rewrites it instead of leaving the old score
    before = rows[(person.id, better.id)][0]
    from web.models import PlaceSkill

    for skill in session.exec(select(PlaceSkill).where(PlaceSkill.place_id == better.id)).all():
        skill.name = "lassen"
        session.add(skill)
    session.commit()
    svc.refresh_matches_for_place(session=session, place_id=better.id)
    session.commit()
    assert stored(session)[(person.id, better.id)][0] < before


# --- what the stored suggestions were computed from (match_input, match_place_input) -----------------------


def test_a_run_with_nothing_changed_skips_every_participant_without_ranking(region, session, monkeypatch):
    svc.refresh_all_matches(session=session)
    session.commit()
    calls = []
    real = svc.Engine.rank_all
    monkeypatch.setattr(svc.Engine, "rank_all", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    result = svc.refresh_all_matches(session=session)
    assert calls == [] and result["skipped"] == len(region) and result["written"] == 0


def test_a_few_changed_places_rebuild_only_their_pairs(region, session, monkeypatch):
    from matching.ranking import Ranking
    from web.models import Employer, StagePlace

    monkeypatch.setattr(svc, "STORED_PER_PARTICIPANT", 3)  # lists shorter than the places: a place can enter or fall out
    svc.refresh_all_matches(session=session)
    session.commit()
    before = {(m.participant_id, m.place_id): m.computed_at for m in session.exec(select(MatchSuggestion)).all()}
    places = session.exec(select(StagePlace).order_by(StagePlace.id)).all()
    changed = places[1]
    changed.hours_per_week = 12  # more participants reach it, with another hours component
    changed.updated_at = utcnow()
    session.add(changed)
    added = make_place(session, session.get(Employer, places[0].employer_id), skills=(("heftruck rijden", True, 1),), postal_code="9000", hours_per_week=20)
    session.commit()
    built = []
    real = Ranking.results
    monkeypatch.setattr(Ranking, "results", lambda self, rows: built.extend(rows) or real(self, rows))
    result = svc.refresh_all_matches(session=session)
    session.commit()
    rows = stored(session)
    assert {pair: row[:3] for pair, row in rows.items()} == expected_rows(session)
    assert result["partial"] + result["reranked"] == len(region) and result["skipped"] == 0
    assert 0 < len(built) < len(rows)  # only pairs of a changed place, or new to a list, got a result built
    after = {(m.participant_id, m.place_id): m.computed_at for m in session.exec(select(MatchSuggestion)).all()}
    for pair, at in after.items():
        if pair[1] not in (changed.id, added.id) and pair in before:
            assert at == before[pair], pair  # an unchanged pair is left as it was
    assert any(place_id == added.id for _, place_id in after)


def test_a_place_that_closes_leaves_every_list(region, session):
    from web.models import StagePlace

    svc.refresh_all_matches(session=session)
    session.commit()
    place = session.exec(select(StagePlace).order_by(StagePlace.id)).first()
    place.status = "closed"
    place.updated_at = utcnow()  # as the place services stamp it
    session.add(place)
    session.commit()
    svc.refresh_all_matches(session=session)
    session.commit()
    rows = stored(session)
    assert place.id not in {place_id for _, place_id in rows}
    assert {pair: row[:3] for pair, row in rows.items()} == expected_rows(session)


def test_a_profile_saved_during_the_day_and_a_changed_place_give_the_nightly_rows(region, session):
    from web.models import StagePlace

    svc.refresh_all_matches(session=session)
    session.commit()
    person = session.get(Participant, region[2].id)
    person.hours_per_week = 16
    session.commit()
    svc.refresh_matches_for_participant(session=session, participant_id=person.id)  # as a profile save does
    session.commit()
    place = session.exec(select(StagePlace).order_by(StagePlace.id.desc())).first()
    place.dutch_level = "B2"
    place.updated_at = utcnow()
    session.add(place)
    session.commit()
    svc.refresh_matches_for_place(session=session, place_id=place.id)  # as a place edit does
    session.commit()
    place.hours_per_week = 16  # and a second edit the nightly run sees first
    place.updated_at = utcnow()
    session.add(place)
    session.commit()
    svc.refresh_all_matches(session=session)
    session.commit()
    assert {pair: row[:3] for pair, row in stored(session).items()} == expected_rows(session)


def test_a_declined_place_reranks_that_participant(region, session):
    from tests.conftest import make_proposal
    from web.models import StagePlace

    svc.refresh_all_matches(session=session)
    session.commit()
    person = session.get(Participant, region[0].id)
    place = session.exec(select(StagePlace).order_by(StagePlace.id)).first()
    make_proposal(session, person, place, state="declined")
    result = svc.refresh_all_matches(session=session)
    session.commit()
    rows = stored(session)
    assert rows[(person.id, place.id)][1] is True  # excluded now
    assert {pair: row[:3] for pair, row in rows.items()} == expected_rows(session)
    assert result["skipped"] == len(region) - 1


def test_another_engine_recomputes_everyone(region, session, monkeypatch):
    svc.refresh_all_matches(session=session)
    session.commit()
    monkeypatch.setattr(svc, "engine_digest", lambda engine: "another engine")
    result = svc.refresh_all_matches(session=session)
    session.commit()
    assert result["skipped"] == 0 and result["partial"] == 0 and result["written"] == 0  # recomputed, equal rows
    assert {pair: row[:3] for pair, row in stored(session).items()} == expected_rows(session)


def test_a_stored_place_that_gets_worse_lets_the_next_one_in(region, session, monkeypatch):
    """When a changed place drops out of a short list, a place that was not stored must take its slot: the
    participant is ranked against every place again."""
    from web.models import PlaceSkill, StagePlace

    monkeypatch.setattr(svc, "STORED_PER_PARTICIPANT", 2)
    svc.refresh_all_matches(session=session)
    session.commit()
    first = {pair: row for pair, row in stored(session).items()}
    best = {}
    for (pid, place_id), row in first.items():
        if not row[1] and (pid not in best or row[0] > first[(pid, best[pid])][0]):
            best[pid] = place_id
    place = session.get(StagePlace, max(set(best.values()), key=list(best.values()).count))  # the best place of most
    for skill in session.exec(select(PlaceSkill).where(PlaceSkill.place_id == place.id)).all():
        skill.name, skill.min_level = "lassen", 3
        session.add(skill)
    place.updated_at = utcnow()
    session.add(place)
    session.commit()
    result = svc.refresh_all_matches(session=session)
    session.commit()
    rows = stored(session)
    assert {pair: row[:3] for pair, row in rows.items()} == expected_rows(session)
    assert result["reranked"] > 0 and rows != first


def test_the_region_builders_stored_suggestions_are_a_night_with_nothing_changed(region, session):
    """bench/region_data.py stores the rows and inputs the nightly run would: the next run skips everyone."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    try:
        from region_data import store_suggestions
    finally:
        sys.path.pop(0)
    stored_count = store_suggestions(session)
    session.commit()
    rows = stored(session)
    assert stored_count == len(rows) and {pair: row[:3] for pair, row in rows.items()} == expected_rows(session)
    result = svc.refresh_all_matches(session=session)
    assert result["skipped"] == len(region) and result["written"] == 0 and result["deleted"] == 0


_PLACE_FIELDS = ("title", "sector", "postal_code", "hours_per_week", "dutch_level", "driving_licence", "title_esco_uri", "places")


def _place_as(session, place, fields: dict, skills: list[dict]) -> None:
    from web.models import PlaceSkill

    for name, value in fields.items():
        setattr(place, name, value)
    for skill in session.exec(select(PlaceSkill).where(PlaceSkill.place_id == place.id)).all():
        session.delete(skill)
    session.flush()
    for skill in skills:
        session.add(PlaceSkill(place_id=place.id, **skill))
    place.updated_at = utcnow()
    session.add(place)
    session.commit()


def _place_state(session, place) -> tuple[dict, list[dict]]:
    from web.models import PlaceSkill

    skills = session.exec(select(PlaceSkill).where(PlaceSkill.place_id == place.id).order_by(PlaceSkill.position)).all()
    return ({name: getattr(place, name) for name in _PLACE_FIELDS},
            [{"name": s.name, "required": s.required, "min_level": s.min_level, "taxonomy_id": s.taxonomy_id, "position": s.position}
             for s in skills])


def test_a_place_improved_and_put_back_during_the_day_leaves_no_extra_row_at_night(region, session, monkeypatch):
    """A place edit adds the place to lists it enters; put back as it was, the place equals what the last nightly run
    saw, yet those lists still hold it: the nightly run must rank those participants again, not skip them."""
    from web.models import StagePlace

    monkeypatch.setattr(svc, "STORED_PER_PARTICIPANT", 2)
    svc.refresh_all_matches(session=session)
    session.commit()
    rows = stored(session)
    places = {p.id: p for p in session.exec(select(StagePlace)).all()}
    found = None
    for person in region:
        mine = sorted([(row[0], place_id) for (pid, place_id), row in rows.items() if pid == person.id and not row[1]], reverse=True)
        others = [place_id for place_id in places if (person.id, place_id) not in rows]
        if len(mine) == 2 and mine[0][0] > mine[1][0] and others:
            found = (person, places[mine[0][1]], places[others[0]])
            break
    assert found, "the fixture has a participant with a full list and a place outside it"
    person, best, outside = found
    before = _place_state(session, outside)
    _place_as(session, outside, *_place_state(session, best))  # now as good as their best place
    svc.refresh_matches_for_place(session=session, place_id=outside.id)
    session.commit()
    assert (person.id, outside.id) in stored(session)
    _place_as(session, outside, *before)  # put back
    svc.refresh_matches_for_place(session=session, place_id=outside.id)
    session.commit()
    svc.refresh_all_matches(session=session)
    session.commit()
    assert {pair: row[:3] for pair, row in stored(session).items()} == expected_rows(session)


def test_the_engine_digest_follows_every_setting_and_the_reference_data():
    from matching import Engine
    from matching.geo import Geo

    base = svc.engine_digest(Engine())
    assert svc.engine_digest(Engine()) == base
    for other in (Engine(synonym_credit=0), Engine(occupation_credit=0), Engine(group_credit=0.1), Engine(direct_cutoff=90),
                  Engine(graded=False), Engine(weights={"distance": 0.2}), Engine(geo=Geo({"9000": (51.05, 3.72)}))):
        assert svc.engine_digest(other) != base
