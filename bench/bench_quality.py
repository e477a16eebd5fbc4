"""Print the engine's ranking quality beside the naive WRatio loop, measured in the same run.

Usage:
    .venv/bin/python bench/bench_quality.py              # Dutch set, ESCO skills and wishes sets (+ dev split)

MRR and recall@5 of the right place for every labelled set in tests/matching/data/, with the project's
vocabulary (seeds/), and the same figures for the obvious per-pair ``WRatio`` loop
(``tests/matching/quality.py``). The ESCO dev split (``esco_dev.json``) is the one to tune on; the held-out
sets are only measured.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "matching"))

import quality  # noqa: E402

from matching import Engine, load_geo, load_vocabulary  # noqa: E402

SETS = [
    ("Dutch set", "evaluation.json", "cases"),
    ("ESCO dev skills", "esco_dev.json", "skills"),
    ("ESCO dev wishes", "esco_dev.json", "wishes"),
    ("ESCO skills (held out)", "esco_evaluation.json", "skills"),
    ("ESCO wishes (held out)", "esco_evaluation.json", "wishes"),
]


def main() -> None:
    """Measure every set and print one JSON line per set, then a Markdown table."""
    only = set(sys.argv[1:])
    engine = Engine(vocabulary=load_vocabulary(), geo=load_geo())
    rows = []
    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
    for label, name, cases in SETS:
        if only and not any(word in label for word in only):
            continue
        if not (quality.DATA / name).exists():
            continue
        data = quality.load_set(name)
        started = time.perf_counter()
        mrr, recall, ranks = quality.evaluate(engine, data, cases)
        seconds = time.perf_counter() - started
        naive_mrr, naive_recall = quality.wratio_loop(engine, data, cases)
        row = {
            "set": label, "cases": len(ranks), "mrr": round(mrr, 3), "recall_at_5": round(recall, 3),
            "wratio_mrr": round(naive_mrr, 3), "wratio_recall_at_5": round(naive_recall, 3),
            "engine_s": round(seconds, 2),
            "misses": [(case, rank) for case, _, rank in ranks if rank != 1][:40],
        }  # fmt: skip
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    print(f"load average at end: {os.getloadavg()}", file=sys.stderr)
    print("| set | engine MRR / recall@5 | WRatio loop MRR / recall@5 |")
    print("|---|---|---|")
    for row in rows:
        print(
            f"| {row['set']} ({row['cases']}) | {row['mrr']:.3f} / {row['recall_at_5']:.3f} "
            f"| {row['wratio_mrr']:.3f} / {row['wratio_recall_at_5']:.3f} |"
        )


if __name__ == "__main__":
    main()
