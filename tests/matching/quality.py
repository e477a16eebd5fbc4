"""Ranking quality on a labelled evaluation set: MRR and recall@5 of the right place, for the engine and
for the obvious per-pair ``WRatio`` loop it must clearly beat (both measured in the same run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from matching.cli import parse_participants, parse_vacancies
from matching.models import DUTCH_LEVELS

DATA = Path(__file__).resolve().parent / "data"


def load_set(name: str) -> dict[str, Any]:
    """Return an evaluation set from tests/matching/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def summarise(ranks: list[int | None]) -> tuple[float, float]:
    """Return (MRR, recall@5) of the expected places' ranks (None: not ranked)."""
    mrr = sum(1.0 / r for r in ranks if r) / len(ranks)
    recall = sum(1 for r in ranks if r and r <= 5) / len(ranks)
    return mrr, recall


def evaluate(
    engine, data: dict[str, Any], cases: str = "cases"
) -> tuple[float, float, list[tuple[str, str, int | None]]]:
    """Return (MRR, recall@5, per-case ranks) of the expected place with the engine."""
    vacancies = parse_vacancies(data["vacancies"], engine.geo)
    participants = parse_participants([case["participant"] for case in data[cases]], engine.geo)
    ranking = engine.rank_all(participants, vacancies, top=len(vacancies))["by_participant"]
    ranks = []
    for case, participant in zip(data[cases], participants, strict=True):
        ranked = [r.vacancy_id for r in ranking[participant.id]]
        rank = ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None
        ranks.append((case["id"], case.get("kind", ""), rank))
    mrr, recall = summarise([r for _, _, r in ranks])
    return mrr, recall, ranks


def wratio_loop(engine, data: dict[str, Any], cases: str = "cases") -> tuple[float, float]:
    """Return (MRR, recall@5) of the obvious way: per pair, the mean over the place's skills (and its title,
    when the participant gives occupation wishes) of the best ``WRatio`` with the participant's skills and
    wishes; the same hard constraints; ties broken by id. (One ``cdist`` per participant computes exactly
    the scores the per-pair loop would.)"""
    geo = engine.geo
    vacancies = parse_vacancies(data["vacancies"], geo)
    participants = parse_participants([case["participant"] for case in data[cases]], geo)
    levels = {level: i for i, level in enumerate(DUTCH_LEVELS)}
    kilometres: dict[tuple[str, str], float] = {}
    ranks = []
    for case, record, p in zip(
        data[cases], (c["participant"] for c in data[cases]), participants, strict=True
    ):
        wishes = [str(w) for w in record.get("occupations") or ()]
        claims = [c.name for c in p.skills] + wishes
        texts = sorted(
            {r.name for v in vacancies for r in v.skills}
            | ({v.title for v in vacancies} if wishes else set())
        )
        column = {text: k for k, text in enumerate(texts)}
        best = (
            process.cdist(claims, texts, scorer=fuzz.WRatio, processor=utils.default_process).max(axis=0)
            if claims
            else [0.0] * len(texts)
        )
        scored = []
        for v in vacancies:
            codes = (p.postal_code, v.postal_code)
            km = kilometres.get(codes)
            if km is None:
                km = kilometres[codes] = geo.distance_km(*codes)
            feasible = (
                v.is_open
                and v.filled < v.places
                and levels.get(p.dutch_level or "", -1) >= levels.get(v.dutch_level or "", -1)
                and (p.driving_licence or not v.driving_licence_required)
                and p.hours_per_week >= v.hours_per_week
                and (p.max_distance_km is None or km <= p.max_distance_km)
            )
            if not feasible:
                continue
            wanted = [r.name for r in v.skills] + ([v.title] if wishes else [])
            values = [float(best[column[w]]) for w in wanted]
            scored.append((-sum(values) / max(len(values), 1), v.id))
        scored.sort(key=lambda item: (item[0], str(item[1])))
        ranked = [vid for _, vid in scored]
        ranks.append(ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None)
    return summarise(ranks)
