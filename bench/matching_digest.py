"""Print digests of the engine's output on a seeded generated set, to check that a change keeps results identical.

Usage:
    .venv/bin/python bench/matching_digest.py [--out results.jsonl]

Every section (``rank_all`` both ways with and without excluded pairs and declines, ``rank_places`` and
``rank_participants`` with limits, the one-participant ``rank_all`` the web refresh makes, the assignment)
is serialised with every score and explanation and hashed; run it before and after a change and compare
the lines (or the files written with ``--out``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_matching import generate  # noqa: E402

from matching import Engine  # noqa: E402


def _dump(results) -> list:
    return [r.to_dict() for r in results]


def sections(n_p: int, n_v: int, seed: int):
    """Yield (name, JSON-serialisable output) for every checked call."""
    vocab, geo, participants, vacancies = generate(n_p, n_v, seed=seed)
    rng = random.Random(seed)
    declined = {(p.id, rng.choice(vacancies).id) for p in rng.sample(participants, n_p // 5)}
    engine = Engine(vocabulary=vocab, geo=geo)
    for name, kwargs in (
        ("rank_all", {}),
        ("rank_all_excluded_declined", {"include_excluded": True, "declined": declined, "vacancy_top": 7}),
        ("rank_all_top3_no_vacancy_side", {"top": 3, "vacancy_top": 0}),
    ):
        out = engine.rank_all(participants, vacancies, **kwargs)
        yield name, {side: {str(k): _dump(v) for k, v in out[side].items()} for side in out}
    for name, kwargs in (
        ("rank_places", {}),
        ("rank_places_all", {"top": None}),
        ("rank_places_excluded_declined", {"include_excluded": True, "declined": declined, "top": 40}),
    ):
        yield name, [_dump(engine.rank_places(p, vacancies, **kwargs)) for p in participants[:150]]
    for name, kwargs in (
        ("web_refresh_one", {"top": 50, "include_excluded": True, "vacancy_top": 0, "declined": declined}),
        ("rank_all_one", {"top": 5, "declined": declined}),
        ("rank_all_one_excluded", {"top": 5, "declined": declined, "include_excluded": True, "vacancy_top": 2}),
    ):
        out = []
        for p in participants[:80]:
            ranking = engine.rank_all([p], vacancies, **kwargs)
            out.append({side: {str(k): _dump(v) for k, v in ranking[side].items()} for side in ranking})
        yield name, out
    yield "rank_participants", [
        _dump(engine.rank_participants(v, participants, top=None, declined=declined, include_excluded=True))
        for v in vacancies[:25]
    ]
    result = engine.assign(participants, vacancies, declined=declined)
    yield "assign", [[str(a.participant_id), str(a.vacancy_id), a.score] for a in result.assignments]


def main() -> None:
    """Print one ``name sha256`` line per section."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1_500)
    parser.add_argument("--vacancies", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    handle = args.out.open("w", encoding="utf-8") if args.out else None
    for name, value in sections(args.participants, args.vacancies, args.seed):
        text = json.dumps(value, sort_keys=True)
        print(name, hashlib.sha256(text.encode()).hexdigest()[:16], len(text), flush=True)
        if handle:
            handle.write(json.dumps({name: value}, sort_keys=True) + "\n")
    if handle:
        handle.close()


if __name__ == "__main__":
    main()
