"""Scores between participants and stage places: rows become engine dataclasses, the engine scores them, and the
results are stored as ``MatchSuggestion`` rows (one per pair, upserted) that pages read.

A profile edit refreshes one participant; a place edit refreshes one place; the scheduler runs the incremental
refresh (``changed_since``) and the full nightly one. One ``Engine`` is kept per process and per vocabulary.
"""
from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import orjson
from flask import current_app, has_app_context
from sqlalchemy import case, delete, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

import matching
from matching import Engine, SkillClaim, SkillEntry, SkillRequirement, Vocabulary, load_vocabulary
from matching import Participant as EngineParticipant
from matching import Vacancy as EngineVacancy
from matching.occupations import MAX_OCCUPATION_TEXT
from matching.vocabulary import load_esco_skills, with_esco_skills
from web.config import REPO_ROOT
from web.models import (
    Employer,
    MatchInput,
    MatchPlaceInput,
    MatchSuggestion,
    Participant,
    ParticipantSkill,
    PlaceSkill,
    Proposal,
    SkillTerm,
    StagePlace,
    utcnow,
)
from web.services.proposals import CAPACITY_STATES, OPEN_STATES
from web.services.vetting import approved_employer_ids

STORED_PER_PARTICIPANT = 50  # places kept per participant (excluded ones included, so their reason can be shown)
MATCHABLE_PHASES = ("voortraject", "jobmatching")

_engine_lock = threading.Lock()
_engines: dict[tuple, Engine] = {}


def _vocabulary_cache_dir() -> Path:
    """Where the vocabulary's prepared ESCO labels are kept between processes (the app's instance folder)."""
    return Path(current_app.instance_path) if has_app_context() else REPO_ROOT / "instance"


def _esco_skills_path() -> Path | None:
    path = REPO_ROOT / "seeds" / "esco_skills.csv"
    return path if path.exists() else None


def _vocabulary_from_terms(terms: list[SkillTerm]) -> Vocabulary:
    """The vocabulary of the SkillTerm rows, joined with ESCO's skills by their ESCO URI."""
    entries = []
    for term in terms:
        variants: list[str] = []
        for value in (term.label_nl, *(term.variants_nl or []), term.label_en, *(term.variants_en or [])):
            value = (value or "").strip()
            if value and value not in variants:
                variants.append(value)
        entries.append(SkillEntry(id=term.id, label_nl=term.label_nl, label_en=term.label_en, group=term.group, variants=tuple(variants),
                                  esco_uri=(term.esco_uri or "").strip()))
    esco = _esco_skills_path()
    if esco is not None:
        entries = with_esco_skills(entries, load_esco_skills(esco))
    return Vocabulary(entries, cache_dir=_vocabulary_cache_dir())


def get_engine(*, session: Session) -> Engine:
    """The process's engine for the current skill vocabulary (SkillTerm rows, else seeds/skills.csv), with ESCO's skills, built once."""
    count, latest = session.exec(select(func.count(), func.max(SkillTerm.id)).where(SkillTerm.active.is_(True))).one()
    key = ("terms", count, latest) if count else ("seeds",)
    engine = _engines.get(key)
    if engine is not None:
        return engine
    with _engine_lock:
        engine = _engines.get(key)
        if engine is None:
            if count:
                vocabulary = _vocabulary_from_terms(list(session.exec(select(SkillTerm).where(SkillTerm.active.is_(True))).all()))
            elif (REPO_ROOT / "seeds" / "skills.csv").exists():
                vocabulary = load_vocabulary(Path(REPO_ROOT / "seeds" / "skills.csv"), esco=_esco_skills_path() or False,
                                             cache_dir=_vocabulary_cache_dir())
            else:
                vocabulary = Vocabulary([])
            engine = Engine(vocabulary=vocabulary)
            _engines.clear()
            _engine_digests.clear()
            _engines[key] = engine
    return engine


# --- rows -> engine dataclasses ----------------------------------------------------------------


def is_matchable(participant: Participant, engine: Engine | None = None) -> bool:
    """A participant can be scored once postal code (known) and hours are filled in."""
    if not participant.postal_code or not participant.hours_per_week:
        return False
    return engine is None or participant.postal_code in engine.geo


def to_engine_participant(participant: Participant, skills: Iterable[ParticipantSkill]) -> EngineParticipant:
    """Convert a participant row and its skills to the engine's dataclass."""
    return EngineParticipant(
        id=participant.id,
        skills=tuple(SkillClaim(s.name, s.level, s.taxonomy_id) for s in skills if s.name and s.name.strip()),
        postal_code=participant.postal_code,
        max_distance_km=participant.max_distance_km,
        hours_per_week=participant.hours_per_week,
        dutch_level=participant.dutch_level,
        driving_licence=bool(participant.driving_licence),
        sectors=tuple(participant.preferred_sectors or ()),
        # the form keeps wishes short; a stored value the engine would refuse is left out rather than failing the refresh
        occupations=tuple(w for w in (participant.occupations or ()) if isinstance(w, str) and w.strip() and len(w) <= MAX_OCCUPATION_TEXT),
    )


def to_engine_vacancy(place: StagePlace, skills: Iterable[PlaceSkill], filled: int) -> EngineVacancy:
    """Convert a stage place row, its skills and its taken capacity to the engine's dataclass."""
    return EngineVacancy(
        id=place.id,
        title=place.title,
        sector=place.sector or "",
        skills=tuple(SkillRequirement(s.name, s.required, s.min_level, s.taxonomy_id) for s in sorted(skills, key=lambda s: s.position) if s.name.strip()),
        postal_code=place.postal_code,
        hours_per_week=place.hours_per_week or 0,
        dutch_level=place.dutch_level,
        driving_licence_required=bool(place.driving_licence),
        places=place.places,
        filled=filled,
        is_open=place.status == "published",
        occupation=place.title_esco_uri or None,  # the ESCO occupation chosen or named by the title; else the engine reads the title
    )


# The engine needs a few columns, not whole rows: selecting only these (as light result rows with the same attribute
# names) instead of full ORM objects makes loading every open place and its skills several times cheaper.
_VACANCY_COLUMNS = (StagePlace.id, StagePlace.title, StagePlace.sector, StagePlace.postal_code, StagePlace.hours_per_week,
                    StagePlace.dutch_level, StagePlace.driving_licence, StagePlace.places, StagePlace.status, StagePlace.title_esco_uri)
_PARTICIPANT_COLUMNS = (Participant.id, Participant.postal_code, Participant.max_distance_km, Participant.hours_per_week,
                        Participant.dutch_level, Participant.driving_licence, Participant.preferred_sectors,
                        Participant.occupations)
_PLACE_SKILL_COLUMNS = (PlaceSkill.place_id, PlaceSkill.name, PlaceSkill.required, PlaceSkill.min_level, PlaceSkill.taxonomy_id,
                        PlaceSkill.position)
_PARTICIPANT_SKILL_COLUMNS = (ParticipantSkill.participant_id, ParticipantSkill.name, ParticipantSkill.level, ParticipantSkill.taxonomy_id)


def _skills_by(session: Session, columns: tuple, owner, ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {i: [] for i in ids}
    if ids:
        for row in session.exec(select(*columns).where(owner.in_(ids)).order_by(owner.class_.id)).all():
            found[getattr(row, owner.key)].append(row)
    return found


# Every profile save and the suggested-assignments page need all open places, every place edit all active
# participants. Loading and converting ~2,000 places (or ~8,500 participants) with their skills costs far more than the
# scoring, so each process keeps the last lists it loaded, per database,
# keyed on a version that one cheap statement reads: the count and latest ``updated_at`` of the places (every edit,
# status change, capacity claim and employer approval stamps its places), the number of proposals holding capacity
# (a released stage place lowers it) and the set of approved organisations. Equal key, same list object: the
# engine's prepared places are then an identity hit too.
_LISTS_KEPT = 2  # versions kept per list and database (a rolled-back change can leave a second, newer one)
_kept_lock = threading.Lock()
_kept_lists: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # SQLAlchemy engine -> OrderedDict(key -> list)


def _kept(session: Session, key: tuple, load: Callable[[], list]) -> list:
    """The list kept by this process for this database under this key, loaded (and kept) when missing."""
    bind = session.get_bind()
    with _kept_lock:
        kept = _kept_lists.setdefault(bind, OrderedDict())
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            return found
    loaded = load()
    with _kept_lock:
        kept[key] = loaded
        while len(kept) > _LISTS_KEPT:
            kept.popitem(last=False)
    return loaded


def open_places_version(session: Session) -> tuple:
    """The version of what ``load_vacancies`` returns for all open places, in one statement."""
    approved = Employer.review_status == "approved"
    row = session.exec(select(
        select(func.count()).select_from(StagePlace).scalar_subquery(),
        select(func.max(StagePlace.updated_at)).scalar_subquery(),
        select(func.count()).select_from(Proposal).where(Proposal.state.in_(CAPACITY_STATES)).scalar_subquery(),
        select(func.count()).select_from(Employer).where(approved).scalar_subquery(),
        select(func.coalesce(func.sum(Employer.id), 0)).where(approved).scalar_subquery(),
    )).one()
    return tuple(row)


def open_vacancies(*, session: Session, engine: Engine) -> list[EngineVacancy]:
    """All open places as engine vacancies, from this process's copy when nothing changed since it loaded them."""
    key = ("places", id(engine), open_places_version(session))
    return _kept(session, key, lambda: load_vacancies(session=session, engine=engine))


def participants_version(session: Session) -> tuple:
    """The version of what ``load_participants`` returns for everyone: every profile save stamps ``updated_at``;
    the number of skills catches a skill row added or removed on its own."""
    row = session.exec(select(
        select(func.count()).select_from(Participant).scalar_subquery(),
        select(func.max(Participant.updated_at)).scalar_subquery(),
        select(func.count()).select_from(ParticipantSkill).scalar_subquery(),
    )).one()
    return tuple(row)


def active_participants(*, session: Session, engine: Engine) -> list[EngineParticipant]:
    """Every active, scorable participant as an engine participant, kept per process like the open places."""
    key = ("participants", id(engine), participants_version(session))
    return _kept(session, key, lambda: load_participants(session=session, engine=engine))


def load_vacancies(*, session: Session, engine: Engine, place_ids: list[int] | None = None) -> list[EngineVacancy]:
    """Published places (or the given ones) as engine vacancies, with their taken capacity."""
    query = select(*_VACANCY_COLUMNS).where(StagePlace.postal_code.is_not(None))
    query = query.where(StagePlace.id.in_(place_ids)) if place_ids is not None else query.where(StagePlace.status == "published")
    query = query.where(StagePlace.employer_id.in_(approved_employer_ids()))  # an unreviewed organisation's places reach nobody
    places = [p for p in session.exec(query.order_by(StagePlace.id)).all() if p.postal_code in engine.geo]
    ids = [p.id for p in places]
    skills = _skills_by(session, _PLACE_SKILL_COLUMNS, PlaceSkill.place_id, ids)
    filled = dict(
        session.exec(
            select(Proposal.place_id, func.count()).where(Proposal.place_id.in_(ids), Proposal.state.in_(CAPACITY_STATES)).group_by(Proposal.place_id)
        ).all()
    ) if ids else {}
    return [to_engine_vacancy(p, skills[p.id], filled.get(p.id, 0)) for p in places]


def load_participants(*, session: Session, engine: Engine, participant_ids: list[int] | None = None) -> list[EngineParticipant]:
    """Active participants (or the given ones) that can be scored, as engine participants."""
    query = select(*_PARTICIPANT_COLUMNS).where(Participant.active.is_(True), Participant.anonymised_at.is_(None))
    if participant_ids is not None:
        query = query.where(Participant.id.in_(participant_ids))
    rows = [p for p in session.exec(query.order_by(Participant.id)).all() if is_matchable(p, engine)]
    skills = _skills_by(session, _PARTICIPANT_SKILL_COLUMNS, ParticipantSkill.participant_id, [p.id for p in rows])
    return [to_engine_participant(p, skills[p.id]) for p in rows]


def declined_pairs(*, session: Session, participant_ids: list[int] | None = None, place_ids: list[int] | None = None) -> set[tuple[int, int]]:
    """Pairs that were declined before; the engine excludes them."""
    query = select(Proposal.participant_id, Proposal.place_id).where(Proposal.state == "declined")
    if participant_ids is not None:
        query = query.where(Proposal.participant_id.in_(participant_ids))
    if place_ids is not None:
        query = query.where(Proposal.place_id.in_(place_ids))
    return {tuple(r) for r in session.exec(query).all()}


# --- storing --------------------------------------------------------------------------------
#
# Every refresh takes its scores from the engine's fast path in one call (``rank_all`` for participants,
# ``rank_participants`` for a place) and writes them in chunks of participants: rows whose content hash is
# unchanged are skipped, new or changed ones are upserted (INSERT ... ON CONFLICT DO UPDATE on
# uq_match_pair, which keeps ``released_to_participant``), pairs that fell out are deleted. A chunk holds
# whole participants, so when the caller commits per chunk (``on_chunk``, as the scheduler's jobs do), a
# crash leaves each participant with either all old or all new suggestions.

REFRESH_CHUNK = 500  # participants per written chunk
_STORED_COLUMNS = ("score", "excluded", "explanation", "engine_version", "computed_at", "content_hash")


_HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def suggestion_hash(score: float, excluded: bool, explanation: dict | None) -> str:
    """A short digest of what a stored suggestion shows, to skip rewriting unchanged rows."""
    # orjson: about 7x faster than json.dumps(sort_keys=True) here, and the nightly run hashes ~430,000 of them
    payload = orjson.dumps([matching.ENGINE_VERSION, round(float(score), 2), bool(excluded), explanation],
                           option=_HASH_OPTIONS, default=str)
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _upsert_rows(session: Session, table, keys: list[str], columns, rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE of ``columns``, as one statement executed for many parameter sets.

    One compiled statement with executemany (psycopg batches it) rather than a multi-row VALUES per batch, whose
    compilation alone cost more than the database's work.
    """
    if not rows:
        return
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(index_elements=keys, set_={c: statement.excluded[c] for c in columns})
    for start in range(0, len(rows), 5000):
        session.execute(statement, rows[start:start + 5000])


def _upsert(session: Session, rows: list[dict]) -> None:
    _upsert_rows(session, MatchSuggestion.__table__, ["participant_id", "place_id"], _STORED_COLUMNS, rows)


def _write(session: Session, results: Iterable, existing: dict[tuple[int, int], tuple[int, str | None]],
           also_kept: set[tuple[int, int]] | frozenset = frozenset(), also_gone: list[int] | None = None) -> tuple[int, int, int]:
    """Upsert the new or changed results, delete the existing pairs not among them nor in ``also_kept`` (pairs known
    to be unchanged without building their result) and the rows ``also_gone``; return (written, unchanged, deleted)."""
    now = utcnow()
    rows: list[dict] = []
    kept: set[tuple[int, int]] = set(also_kept)
    unchanged = len(also_kept)
    for r in results:
        pair = (int(r.participant_id), int(r.vacancy_id))
        kept.add(pair)
        score = float(min(100.0, max(0.0, r.score)))
        digest = suggestion_hash(score, r.excluded, r.explanation)
        old = existing.get(pair)
        if old is not None and old[1] == digest:
            unchanged += 1
            continue
        rows.append({"participant_id": pair[0], "place_id": pair[1], "score": score, "excluded": bool(r.excluded),
                     "explanation": r.explanation, "engine_version": matching.ENGINE_VERSION, "computed_at": now,
                     "content_hash": digest, "released_to_participant": False})
    gone = [row_id for pair, (row_id, _) in existing.items() if pair not in kept] + (also_gone or [])
    session.flush()  # the ORM's pending changes first: the statements below bypass the unit of work
    _upsert(session, rows)
    for start in range(0, len(gone), 500):
        session.execute(delete(MatchSuggestion).where(MatchSuggestion.id.in_(gone[start:start + 500])))
    if rows or gone:
        # Objects of these rows already in the session would show the old values (or a deleted row).
        touched = {(row["participant_id"], row["place_id"]) for row in rows}
        gone_ids = set(gone)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, MatchSuggestion):
                if obj.id in gone_ids:
                    session.expunge(obj)
                elif (obj.participant_id, obj.place_id) in touched:
                    session.expire(obj)
    return len(rows), unchanged, len(gone)


def _existing(session: Session, condition) -> dict[tuple[int, int], tuple[int, str | None]]:
    query = select(MatchSuggestion.id, MatchSuggestion.participant_id, MatchSuggestion.place_id, MatchSuggestion.content_hash)
    return {(pid, vid): (row_id, digest) for row_id, pid, vid, digest in session.exec(query.where(condition)).all()}


# --- what stored suggestions were computed from ----------------------------------------------
#
# A participant's stored suggestions depend on the engine (its code, settings and vocabulary), the participant's
# engine input, their declined places and the open places. ``match_input`` keeps per participant a digest of the
# first three and the digest of the open places they were computed against; ``match_place_input`` keeps each open
# place's digest as the last complete nightly run saw it. A participant whose digest is unchanged is skipped when
# the places are the ones they were computed against; when a few places changed since the last nightly run, they
# are ranked again but only the pairs with a changed place (or new to their list) get a result built and
# compared: a pair's score and explanation depend on that participant and that place only.

_engine_digests: dict[int, tuple[Engine, str]] = {}
_NOT_MATCHABLE = "not matchable"


def _digest(value) -> str:
    return hashlib.blake2b(orjson.dumps(value, option=_HASH_OPTIONS, default=str), digest_size=16).hexdigest()


def _engine_code_digest() -> str:
    """The engine's code as this process imported it (read once: a file changed on disk later is not this code)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(matching.__file__).resolve().parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_ENGINE_CODE = _engine_code_digest()


def engine_digest(engine: Engine) -> str:
    """A digest of everything the engine scores with besides its two inputs: version and code, every setting, the
    vocabulary, the postal-code coordinates and the occupations with their essential skills (once per engine)."""
    found = _engine_digests.get(id(engine))
    if found is not None and found[0] is engine:
        return found[1]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(matching.ENGINE_VERSION.encode())
    digest.update(_ENGINE_CODE.encode())
    digest.update(repr(engine.weights).encode())
    settings = (engine.direct_cutoff, engine.graded, engine.group_credit, engine.synonym_credit, engine.occupation_credit)
    digest.update(repr(settings).encode())
    digest.update(orjson.dumps(list(engine.vocabulary.entries), option=_HASH_OPTIONS, default=str))
    digest.update(orjson.dumps(sorted(engine.geo.coordinates.items()), option=_HASH_OPTIONS))
    occupations = engine.occupations
    if occupations is not None:
        digest.update(orjson.dumps(list(occupations.occupations), option=_HASH_OPTIONS, default=str))
        skills_path = getattr(occupations, "_skills_path", None)
        if skills_path is not None and Path(skills_path).exists():
            digest.update(Path(skills_path).read_bytes())  # the essential skills behind the occupation credit
    value = digest.hexdigest()
    _engine_digests[id(engine)] = (engine, value)
    return value


def _places_digest(place_digests: dict[int, str]) -> str:
    return _digest(sorted(place_digests.items()))


def _participant_digest(engine_key: str, person: EngineParticipant | None, declined: list[int]) -> str:
    return _digest([engine_key, STORED_PER_PARTICIPANT, person if person is not None else _NOT_MATCHABLE, declined])


def _save_inputs(session: Session, rows: list[dict]) -> None:
    _upsert_rows(session, MatchInput.__table__, ["participant_id"], ("fingerprint", "places_digest"), rows)


def _save_place_snapshot(session: Session, place_digests: dict[int, str], snapshot: dict[int, str]) -> None:
    """Make ``match_place_input`` the given places (written only where it differs)."""
    gone = [place_id for place_id in snapshot if place_id not in place_digests]
    for start in range(0, len(gone), 500):
        session.execute(delete(MatchPlaceInput).where(MatchPlaceInput.place_id.in_(gone[start:start + 500])))
    rows = [{"place_id": place_id, "fingerprint": fp} for place_id, fp in place_digests.items() if snapshot.get(place_id) != fp]
    _upsert_rows(session, MatchPlaceInput.__table__, ["place_id"], ("fingerprint",), rows)


_digests_kept: list = []  # [(the open places list, digest per place, digest of all)]: one per process, like the list


def _current_places(vacancies: list[EngineVacancy]) -> tuple[dict[int, str], str]:
    """(digest per open place, digest of them all), computed once per kept list of open places."""
    kept = _digests_kept[0] if _digests_kept else None
    if kept is not None and kept[0] is vacancies:
        return kept[1], kept[2]
    current = {int(v.id): _digest(v) for v in vacancies}
    value = (vacancies, current, _places_digest(current))
    _digests_kept[:] = [value]
    return value[1], value[2]


class _PlaceChanges:
    """The open places as the last complete nightly run saw them, and what changed since: read on first use (a single
    participant's refresh with a changed profile never needs it)."""

    def __init__(self, session: Session, engine: Engine, vacancies: list[EngineVacancy], current: dict[int, str]) -> None:
        self._session, self._main, self._vacancies, self._current = session, engine, vacancies, current
        self._snapshot: dict[int, str] | None = None
        self._engine: Engine | None = None

    @property
    def snapshot(self) -> dict[int, str]:
        if self._snapshot is None:
            self._snapshot = dict(self._session.exec(select(MatchPlaceInput.place_id, MatchPlaceInput.fingerprint)).all())
            self.digest = _places_digest(self._snapshot)
            current = self._current
            self.changed = {i for i, fp in current.items() if self._snapshot.get(i) != fp} | (self._snapshot.keys() - current.keys())
            self.vacancies = [v for v in self._vacancies if v.id in self.changed]
        return self._snapshot

    def __getattr__(self, name: str):  # digest, changed, vacancies: set when the snapshot is read
        if name in ("digest", "changed", "vacancies"):
            self.snapshot  # noqa: B018 - reads and sets them
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def engine(self) -> Engine:
        """The engine that ranks the changed places: one of their own (same vocabulary, postal codes and settings), so
        each engine keeps its place list prepared across the chunks instead of both replacing each other in one cache."""
        if self._engine is None:
            main = self._main
            self._engine = Engine(vocabulary=main.vocabulary, geo=main.geo, weights=main.weights, occupations=main.occupations,
                                  direct_cutoff=main.direct_cutoff, graded=main.graded, group_credit=main.group_credit,
                                  synonym_credit=main.synonym_credit, occupation_credit=main.occupation_credit,
                                  block_rows=main.block_rows, threads=main.threads)
        return self._engine


def _merge_changed_places(engine: Engine, people: list[EngineParticipant], changed_vacancies: list[EngineVacancy],
                          kept: dict[int, list[tuple]], *, unchanged_places: int, declined: list,
                          unchanged_pairs: set[tuple[int, int]], gone: list[int]) -> tuple[list[int], list, int]:
    """New lists of participants whose inputs are unchanged, when only ``changed`` places differ from what their stored
    list was computed against: the stored pairs with unchanged places, merged with the changed places' new pairs.

    ``kept`` holds per participant the rank keys (excluded, -score in hundredths, place id: the engine's order, then
    row id and content hash) of their stored pairs with an unchanged place. Every unchanged place not stored ranks below all of those, so the
    merged list is exact when the participant keeps ``STORED_PER_PARTICIPANT`` pairs above their lowest stored one
    (or no unchanged place is left out). Adds the unchanged pairs kept to ``unchanged_pairs``; returns the
    participants this cannot decide (to rank against every place), the results built (only pairs with a changed
    place that enter a list) and the number of pairs listed; the ids of stored rows that leave a list go to ``gone``.
    """
    limit = STORED_PER_PARTICIPANT
    ranking = engine.rank_all(people, changed_vacancies, top=len(changed_vacancies), include_excluded=True, vacancy_top=0,
                              declined=declined)["by_participant"] if changed_vacancies else None
    undecided: list[int] = []
    needed: list[int] = []
    listed = 0
    for person in people:
        old = kept.get(person.id, [])
        fresh = []
        if ranking is not None:
            rows = ranking.rows(person.id)
            fresh = [((excluded, -round(score * 100), vid), row)
                     for (_pid, vid, score, excluded), row in zip(ranking.pairs(rows), rows, strict=True)]
        if unchanged_places > len(old):  # some unchanged places are not stored: they rank below every stored one
            if not old:
                undecided.append(person.id)
                continue
            floor = max(old)[:3]
            if len(old) + sum(1 for key, _row in fresh if key < floor) < limit:
                undecided.append(person.id)
                continue
        row_of = {key[2]: row for key, row in fresh}
        merged = sorted([*old, *(key for key, _row in fresh)])
        listed += min(limit, len(merged))
        for item in merged[:limit]:
            if item[2] in row_of:
                needed.append(row_of[item[2]])
            else:
                unchanged_pairs.add((person.id, item[2]))
        gone.extend(item[3] for item in merged[limit:] if len(item) > 3)  # stored, pushed out by a changed place
    return undecided, (ranking.results(needed) if needed and ranking is not None else []), listed


def _refresh_participants(session: Session, participant_ids: list[int], on_chunk: Callable[[], None] | None = None,
                          *, save_places: bool = False) -> dict:
    """Rank these participants against the open places and store the results, one chunk of participants at a time.

    Each chunk is one call of the engine's fast path (the open places are prepared once and kept by the engine),
    so memory holds one chunk's results, not the region's. Participants whose inputs are unchanged are skipped or,
    when a few places changed, only their pairs with those places are rebuilt (see ``match_input`` above).
    ``save_places`` (the nightly run over everyone) records the open places as seen, once every chunk is written.
    """
    engine = get_engine(session=session)
    vacancies = open_vacancies(session=session, engine=engine) if participant_ids else []
    engine_key = engine_digest(engine)
    current, now_digest = _current_places(vacancies)
    changes = _PlaceChanges(session, engine, vacancies, current)  # the last nightly run's places: read when first needed
    totals = {"stored": 0, "written": 0, "unchanged": 0, "deleted": 0, "skipped": 0, "partial": 0, "reranked": 0}
    for start in range(0, len(participant_ids), REFRESH_CHUNK):
        chunk = participant_ids[start:start + REFRESH_CHUNK]
        people = {p.id: p for p in load_participants(session=session, engine=engine, participant_ids=chunk)} if vacancies else {}
        declined_all = declined_pairs(session=session, participant_ids=chunk)
        declined: dict[int, list[int]] = {}
        for pid, place_id in sorted(declined_all):
            declined.setdefault(pid, []).append(place_id)
        stored_inputs = {pid: (fp, places) for pid, fp, places in session.exec(
            select(MatchInput.participant_id, MatchInput.fingerprint, MatchInput.places_digest).where(MatchInput.participant_id.in_(chunk))
        ).all()}
        full: list[int] = []
        skipped: list[int] = []
        partial: set[int] = set()
        inputs: list[dict] = []
        for pid in chunk:
            fp = _participant_digest(engine_key, people.get(pid), declined.get(pid, []))
            old = stored_inputs.get(pid)
            if old is not None and old[0] == fp and (old[1] == now_digest or pid not in people):
                skipped.append(pid)  # computed from exactly these inputs (or nothing to store and nothing stored)
                continue
            if old is not None and old[0] == fp and old[1] == changes.digest:
                partial.add(pid)
            else:
                full.append(pid)
            inputs.append({"participant_id": pid, "fingerprint": fp, "places_digest": now_digest})
        todo = sorted([*full, *partial])
        table = MatchSuggestion.__table__
        existing_rows = session.connection().execute(
            select(table.c.id, table.c.participant_id, table.c.place_id, table.c.content_hash, table.c.score, table.c.excluded)
            .where(table.c.participant_id.in_(todo))
        ).all() if todo else []  # Core rows (plain tuples): ORM loading of ~400,000 of them cost more than the rest
        existing: dict[tuple[int, int], tuple[int, str | None]] = {}
        by_person: dict[int, list[tuple]] = {}
        changed_places = changes.changed if partial else set()
        for row_id, pid, vid, digest, score, excluded in existing_rows:
            if pid in partial and vid in current and vid not in changed_places:
                by_person.setdefault(pid, []).append((bool(excluded), -round(score * 100), vid, row_id, digest))
            else:
                existing[(pid, vid)] = (row_id, digest)
        del existing_rows
        results: list = []
        unchanged_pairs: set[tuple[int, int]] = set()
        gone: list[int] = []
        stored_count = 0
        more: list[int] = []
        if partial:
            more, built, partial_stored = _merge_changed_places(
                changes.engine, [people[pid] for pid in sorted(partial)], changes.vacancies, by_person,
                unchanged_places=len(current) - len(changed_places & current.keys()),
                declined=[pair for pair in declined_all if pair[0] in partial], unchanged_pairs=unchanged_pairs, gone=gone)
            for pid in more:  # whose list a place outside it may enter: ranked against every place
                for _excluded, _score, vid, row_id, digest in by_person.get(pid, ()):
                    existing[(pid, vid)] = (row_id, digest)
            full.extend(more)
            results.extend(built)
            stored_count += partial_stored
        ranked = [people[pid] for pid in sorted(full) if pid in people]
        if ranked:
            full_set = set(full)
            ranking = engine.rank_all(ranked, vacancies, top=STORED_PER_PARTICIPANT, include_excluded=True, vacancy_top=0,
                                      declined=[pair for pair in declined_all if pair[0] in full_set])["by_participant"]
            needed = [row for person in ranked for row in ranking.rows(person.id)]
            stored_count += len(needed)
            results.extend(ranking.results(needed))
        written, unchanged, deleted = _write(session, results, existing, unchanged_pairs, gone)
        _save_inputs(session, inputs)
        session.flush()
        totals["stored"] += stored_count
        totals["written"] += written
        totals["unchanged"] += unchanged
        totals["deleted"] += deleted
        totals["partial"] += len(partial) - len(more)
        totals["reranked"] += len(more)
        if skipped:  # their rows stay as they are: counted as stored and unchanged
            kept_rows = session.exec(select(func.count()).select_from(MatchSuggestion).where(MatchSuggestion.participant_id.in_(skipped))).one()
            totals["stored"] += kept_rows
            totals["unchanged"] += kept_rows
            totals["skipped"] += len(skipped)
        if on_chunk is not None:
            on_chunk()
    if save_places and current != changes.snapshot:
        _save_place_snapshot(session, current, changes.snapshot)
        session.flush()
        if on_chunk is not None:
            on_chunk()
    return totals


def refresh_matches_for_participant(*, session: Session, participant_id: int) -> int:
    """Recompute and store the ranked places of one participant (fast: one participant against the open places)."""
    return _refresh_participants(session, [participant_id])["stored"]


def refresh_matches_for_participants(*, session: Session, participant_ids: list[int]) -> int:
    """Recompute and store the ranked places of several participants, loading the places once."""
    return _refresh_participants(session, list(participant_ids))["stored"]


def refresh_matches_for_place(*, session: Session, place_id: int) -> int:
    """Recompute one place against every active participant and store it where the nightly refresh would.

    The nightly refresh keeps each participant's best ``STORED_PER_PARTICIPANT`` places. A place edit writes the
    pairs already stored (new score and explanation) and adds the place for the participants whose list it now
    enters: fewer stored places than that, or a better score than their lowest feasible one. The nightly run trims
    a list that grew by one. Participants and open places come from this process's kept lists.
    """
    engine = get_engine(session=session)
    place = session.get(StagePlace, place_id)
    if place is None or place.status != "published" or place.postal_code not in engine.geo:
        session.flush()
        _mark_lists_changed(session, list(session.exec(select(MatchSuggestion.participant_id).where(MatchSuggestion.place_id == place_id)).all()))
        session.execute(delete(MatchSuggestion).where(MatchSuggestion.place_id == place_id))
        for obj in list(session.identity_map.values()):
            if isinstance(obj, MatchSuggestion) and obj.place_id == place_id:
                session.expunge(obj)
        return 0
    vacancies = load_vacancies(session=session, engine=engine, place_ids=[place_id])
    people = active_participants(session=session, engine=engine) if vacancies else []
    results = engine.rank_participants(vacancies[0], people, top=None, declined=declined_pairs(session=session, place_ids=[place_id]),
                                       include_excluded=True) if people else []
    existing = _existing(session, MatchSuggestion.place_id == place_id)
    lists = {pid: (n, lowest) for pid, n, lowest in session.exec(
        select(MatchSuggestion.participant_id, func.count(),
               func.min(case((MatchSuggestion.excluded.is_(False), MatchSuggestion.score))))
        .where(MatchSuggestion.place_id != place_id).group_by(MatchSuggestion.participant_id)
    ).all()}
    kept = []
    added: list[int] = []
    for r in results:
        if (r.participant_id, place_id) in existing:
            kept.append(r)
            continue
        count, lowest = lists.get(r.participant_id, (0, None))
        if count < STORED_PER_PARTICIPANT or (not r.excluded and lowest is not None and r.score > lowest):
            kept.append(r)
            added.append(r.participant_id)
    _write(session, kept, existing)
    _mark_lists_changed(session, added)
    session.flush()
    return len(kept)


def _mark_lists_changed(session: Session, participant_ids: list[int]) -> None:
    """Record that these participants' stored lists gained or lost a place outside the nightly run.

    Their lists are then no longer what their recorded inputs give (a list may hold one place too many, or miss the
    next best), so the nightly run ranks them again in full instead of skipping them, even if the place is back as
    the last run saw it. Same transaction as the rows.
    """
    ids = sorted(set(participant_ids))
    for start in range(0, len(ids), 500):
        session.execute(update(MatchInput).where(MatchInput.participant_id.in_(ids[start:start + 500])).values(places_digest=""))


def refresh_all_matches(*, session: Session, changed_since: datetime | None = None,
                        on_chunk: Callable[[], None] | None = None) -> dict:
    """Refresh everything (nightly) or only participants and places changed since a time (incremental job).

    ``on_chunk`` is called after each written chunk of participants; the scheduler's jobs pass their
    session's commit, so the table is consistent per participant if the job stops half-way.
    """
    if changed_since is None:
        ids = list(session.exec(select(Participant.id).where(Participant.active.is_(True)).order_by(Participant.id)).all())
        stale = session.exec(select(MatchSuggestion.participant_id).where(MatchSuggestion.participant_id.not_in(ids) if ids else true()).distinct()).all()
        if stale:
            session.execute(delete(MatchSuggestion).where(MatchSuggestion.participant_id.in_(list(stale))))
        gone_inputs = session.exec(select(MatchInput.participant_id).where(MatchInput.participant_id.not_in(ids) if ids else true())).all()
        for start in range(0, len(gone_inputs), 500):
            session.execute(delete(MatchInput).where(MatchInput.participant_id.in_(list(gone_inputs[start:start + 500]))))
        totals = _refresh_participants(session, ids, on_chunk, save_places=True)
        return {"participants": len(ids), "places": None, **totals}
    people = list(session.exec(select(Participant.id).where(Participant.updated_at >= changed_since).order_by(Participant.id)).all())
    places = list(session.exec(select(StagePlace.id).where(StagePlace.updated_at >= changed_since).order_by(StagePlace.id)).all())
    totals = _refresh_participants(session, people, on_chunk) if people else {"stored": 0}
    stored = totals["stored"]
    for place_id in places:
        stored += refresh_matches_for_place(session=session, place_id=place_id)
        if on_chunk is not None:
            on_chunk()
    return {"participants": len(people), "places": len(places), "stored": stored}


# --- reading --------------------------------------------------------------------------------


def suggestions_for_participant(*, session: Session, participant_id: int, include_excluded: bool = False, limit: int = 20) -> list[tuple[MatchSuggestion, StagePlace]]:
    """Stored ranked places of a participant, best first."""
    query = (
        select(MatchSuggestion, StagePlace)
        .join(StagePlace, StagePlace.id == MatchSuggestion.place_id)
        .where(MatchSuggestion.participant_id == participant_id)
    )
    if not include_excluded:
        query = query.where(MatchSuggestion.excluded.is_(False), StagePlace.status == "published")
    query = query.where(StagePlace.employer_id.in_(approved_employer_ids()))
    query = query.order_by(MatchSuggestion.excluded, MatchSuggestion.score.desc(), StagePlace.id).limit(limit)
    return list(session.exec(query).all())


def suggestions_for_place(*, session: Session, place_id: int, coach_ids: list[int], include_excluded: bool = False) -> list[tuple[MatchSuggestion, Participant]]:
    """Stored ranked participants of these coaches for a place, best first."""
    query = (
        select(MatchSuggestion, Participant)
        .join(Participant, Participant.id == MatchSuggestion.participant_id)
        .where(MatchSuggestion.place_id == place_id, Participant.coach_id.in_(coach_ids), Participant.active.is_(True))
    )
    if not include_excluded:
        query = query.where(MatchSuggestion.excluded.is_(False))
    return list(session.exec(query.order_by(MatchSuggestion.excluded, MatchSuggestion.score.desc(), Participant.id)).all())


def suggest_assignments(*, session: Session, coach_ids: list[int]) -> list[dict]:
    """Capacity-aware assignment of these coaches' participants without an open proposal to the open places."""
    from web.models import Trajectory

    engine = get_engine(session=session)
    # only these coaches' participants: the region's open proposals and trajectories are never read whole
    in_phase = select(Trajectory.id).where(
        Trajectory.participant_id == Participant.id, Trajectory.ended_on.is_(None), Trajectory.current_phase.in_(MATCHABLE_PHASES)
    ).exists()
    busy = select(Proposal.id).where(Proposal.participant_id == Participant.id, Proposal.state.in_(OPEN_STATES)).exists()
    ids = list(session.exec(
        select(Participant.id).where(Participant.coach_id.in_(coach_ids), Participant.active.is_(True), in_phase, ~busy)
        .order_by(Participant.id)
    ).all())
    people = load_participants(session=session, engine=engine, participant_ids=ids)
    vacancies = open_vacancies(session=session, engine=engine)
    if not people or not vacancies:
        return []
    result = engine.assign(people, vacancies, declined=declined_pairs(session=session, participant_ids=ids))
    participants = {p.id: p for p in session.exec(select(Participant).where(Participant.id.in_([a.participant_id for a in result.assignments]))).all()}
    places = {p.id: p for p in session.exec(select(StagePlace).where(StagePlace.id.in_([a.vacancy_id for a in result.assignments]))).all()}
    rows = [
        {"participant": participants[a.participant_id], "place": places[a.vacancy_id], "score": a.score}
        for a in result.assignments
    ]
    # strongest matches first, so the coach accepts the surest proposals first
    return sorted(rows, key=lambda r: (-r["score"], r["participant"].last_name, r["participant"].id))


# --- warming a web process ------------------------------------------------------------------


def warm(app) -> dict:
    """Build what a web process's first matching requests would: the engine with its vocabulary and postal codes,
    the kept lists of open places and active participants, their preparation and the place digests.

    gunicorn calls it once in the master before it forks the workers (``gunicorn.conf.py``, ``preload_app``), so every
    worker starts with them, shared copy-on-write, instead of each building its own on its first request while
    the others wait for the cores. The database connections it opened are closed again before the fork.
    """
    from web.db import get_engine as get_db_engine

    with app.app_context():
        try:
            with Session(get_db_engine(), expire_on_commit=False) as session:
                engine = get_engine(session=session)
                vacancies = open_vacancies(session=session, engine=engine)
                people = active_participants(session=session, engine=engine)
                if vacancies and people:
                    engine.prepared_participants(people)  # a place edit ranks one place against all of them
                    engine.rank_places(people[0], vacancies, top=1)  # prepares the open places (kept by the engine)
                    _current_places(vacancies)
                session.rollback()
        finally:
            get_db_engine().dispose()  # no connection opened here may be inherited by the workers
    return {"places": len(vacancies), "participants": len(people)}
