"""Benchmark the matching engine on generated, realistic data (run on demand, not in the test suite).

Usage:
    .venv/bin/python bench/bench_matching.py                 # all cases, default sizes
    .venv/bin/python bench/bench_matching.py --case full --runs 5

Each case runs in its own child process so that its peak RSS (ru_maxrss) is its own. Data:
participants and places draw skills from the vocabulary (labels, Dutch and English variants,
typos, filler words, some free text the vocabulary does not know) and real Belgian postal codes
from seeds/postal_codes.csv.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching import Engine, Participant, SkillClaim, SkillRequirement, Vacancy  # noqa: E402
from matching.geo import load_geo  # noqa: E402
from matching.text import fold  # noqa: E402
from matching.vocabulary import load_vocabulary  # noqa: E402

FREE_TEXT = [
    "fotografie", "python", "dansen", "muziek maken", "vissen", "schaken", "koor zingen", "tekenen",
    "voetbaltrainer", "breien", "puzzelen", "zwemmen", "fietsen", "klussen", "dieren verzorgen",
]  # fmt: skip
FILLERS = ["ervaring met {}", "{} kunnen", "goede kennis van {}", "{} attest", "basiskennis {}", "{}"]
DUTCH = ["A1", "A2", "B1", "B2", "C1"]


def skills_path() -> Path:
    """Return seeds/skills.csv when it exists, else the test vocabulary."""
    seeds = ROOT / "seeds" / "skills.csv"
    return seeds if seeds.exists() else ROOT / "tests" / "matching" / "data" / "skills.csv"


def flemish_postal_codes() -> list[str]:
    """Return the postal codes of Flanders and Brussels (the social economy this serves)."""
    import csv

    with (ROOT / "seeds" / "postal_codes.csv").open(newline="", encoding="utf-8") as handle:
        return sorted(
            {
                row["postal_code"]
                for row in csv.DictReader(handle)
                if row["region"] in ("Vlaanderen", "Brussel")
            }
        )


def typo(rng: random.Random, text: str) -> str:
    """Return text with one random deletion, insertion, substitution or swap."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.randrange(4)
    letter = rng.choice("aeiounrstlk")
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + letter + text[i:]
    if op == 2:
        return text[:i] + letter + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def skill_text(rng: random.Random, entry) -> str:
    """Return how a user might write this vocabulary skill."""
    roll = rng.random()
    base = entry.label_nl if roll < 0.45 else rng.choice(entry.variants)
    if rng.random() < 0.15:
        base = typo(rng, base)
    if rng.random() < 0.15:
        base = rng.choice(FILLERS).format(base)
    if rng.random() < 0.3:
        base = base.capitalize()
    return base


def generate(n_participants: int, n_vacancies: int, seed: int = 7):
    """Return (participants, vacancies) drawn from the vocabulary and real postal codes."""
    rng = random.Random(seed)
    # The engine's own vocabulary (with ESCO's skills when seeds/ has them); texts are drawn from the
    # Dutch vocabulary's entries, as coaches and employers write them.
    seeds = skills_path() == ROOT / "seeds" / "skills.csv"
    vocab = load_vocabulary() if seeds else load_vocabulary(skills_path())
    geo = load_geo()
    codes = flemish_postal_codes()
    entries = [e for e in vocab.entries if e.label_nl]
    groups = sorted({e.group for e in entries if e.group})
    by_group: dict[str, list] = {}
    for e in entries:
        by_group.setdefault(e.group, []).append(e)

    def pick_skills(k: int, group: str) -> list:
        chosen = rng.sample(by_group[group], min(k // 2 + 1, len(by_group[group])))
        chosen += rng.sample(entries, k - len(chosen)) if k > len(chosen) else []
        return chosen[:k]

    participants = []
    for i in range(n_participants):
        group = rng.choice(groups)
        claims = [
            SkillClaim(skill_text(rng, e), rng.randint(1, 4)) for e in pick_skills(rng.randint(3, 8), group)
        ]
        if rng.random() < 0.2:
            claims.append(SkillClaim(rng.choice(FREE_TEXT), rng.randint(1, 3)))
        participants.append(
            Participant(
                id=i + 1,
                skills=tuple(claims),
                postal_code=rng.choice(codes),
                max_distance_km=rng.choice([10, 15, 20, 25, 30, 40, 50, 60]),
                hours_per_week=rng.choice([19, 24, 30, 32, 38]),
                dutch_level=rng.choices(DUTCH, weights=[1, 3, 4, 2, 1])[0],
                driving_licence=rng.random() < 0.6,
                sectors=tuple(rng.sample(groups, rng.randint(0, 2))),
            )
        )
    vacancies = []
    for j in range(n_vacancies):
        group = rng.choice(groups)
        reqs = [
            SkillRequirement(skill_text(rng, e), rng.random() < 0.7, rng.randint(1, 3))
            for e in pick_skills(rng.randint(2, 8), group)
        ]
        places = rng.choice([1, 1, 1, 2, 2, 3])
        vacancies.append(
            Vacancy(
                id=f"v{j + 1}",
                title=f"Stageplaats {j + 1}",
                sector=group,
                skills=tuple(reqs),
                postal_code=rng.choice(codes),
                hours_per_week=rng.choice([16, 19, 24, 30, 32, 38]),
                dutch_level=rng.choices(DUTCH[:4], weights=[2, 4, 3, 1])[0],
                driving_licence_required=rng.random() < 0.2,
                places=places,
                filled=places if rng.random() < 0.05 else 0,
                is_open=rng.random() > 0.05,
            )
        )
    return vocab, geo, participants, vacancies


def naive_rank_all(participants, vacancies, geo, top: int = 20, filter_first: bool = False):
    """Score pairs the obvious way: a Python loop with rapidfuzz per skill pair, then top-k both ways.

    With ``filter_first`` the cheap hard constraints are checked before comparing skills (a smarter
    obvious way); without it every pair's skills are compared and the constraints applied after.
    """
    from rapidfuzz import fuzz, utils

    levels = {level: i for i, level in enumerate(DUTCH)}
    coords = geo.coordinates
    by_participant = {}
    by_vacancy: dict = {v.id: [] for v in vacancies}
    for p in participants:
        plat, plon = coords[p.postal_code]
        row = []
        for v in vacancies:
            vlat, vlon = coords[v.postal_code]
            a = (
                math.sin(math.radians(vlat - plat) / 2) ** 2
                + math.cos(math.radians(plat))
                * math.cos(math.radians(vlat))
                * math.sin(math.radians(vlon - plon) / 2) ** 2
            )
            km = 2 * 6371.0 * math.asin(math.sqrt(a))
            feasible = (
                v.is_open
                and v.filled < v.places
                and levels.get(p.dutch_level, -1) >= levels.get(v.dutch_level, -1)
                and (p.driving_licence or not v.driving_licence_required)
                and p.hours_per_week >= v.hours_per_week
                and km <= p.max_distance_km
            )
            if filter_first and not feasible:
                continue
            got = {True: [], False: []}
            for req in v.skills:
                best = 0.0
                for claim in p.skills:
                    sim = fuzz.token_sort_ratio(claim.name, req.name, processor=utils.default_process)
                    if sim >= 85:
                        best = max(best, sim / 100 * (1.0 if claim.level >= req.min_level else 0.7))
                got[req.required].append(best)
            required = sum(got[True]) / len(got[True]) if got[True] else 1.0
            nice = sum(got[False]) / len(got[False]) if got[False] else 1.0
            score = 100 * (0.55 * required + 0.15 * nice + 0.15 * (1 - km / p.max_distance_km) + 0.15)
            if not feasible:
                continue
            row.append((score, v.id))
            by_vacancy[v.id].append((score, p.id))
        row.sort(reverse=True)
        by_participant[p.id] = row[:top]
    for vid, rows in by_vacancy.items():
        rows.sort(reverse=True)
        by_vacancy[vid] = rows[:top]
    return by_participant, by_vacancy


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_case(case: str, runs: int, n_p: int, n_v: int, naive_subset: int) -> dict:
    """Run one case in this process and return its figures."""
    vocab, geo, participants, vacancies = generate(n_p, n_v)
    result: dict = {"case": case, "participants": n_p, "vacancies": n_v, "runs": runs}
    result["load_before"] = round(os.getloadavg()[0], 2)
    cpu0 = time.process_time()
    times: list[float] = []
    cpu_times: list[float] = []
    built: list[float] = []
    if case in ("full", "full_warm"):
        if case == "full_warm":
            # The scheduler's steady state: one engine per process, so texts seen in an earlier run are
            # resolved already. Each run still prepares participants and places from scratch.
            Engine(vocabulary=vocab, geo=geo).rank_all(participants, vacancies, top=20)
        for _ in range(runs):
            engine = Engine(vocabulary=vocab, geo=geo)
            if case == "full":  # cold: every text normalised and resolved again
                vocab._resolved.clear()
                vocab.normalise._cache.clear()
                vocab.normalise._token_cache.clear()
                fold.cache_clear()
            out = None  # let the previous run's results go before measuring the next
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            out = engine.rank_all(participants, vacancies, top=20)
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
            # Then every explanation built as Python objects (what serialising all of them needs).
            t1 = time.perf_counter()
            kept = {id(r) for rows in out["by_participant"].values() for r in rows}
            kept |= {id(r) for rows in out["by_vacancy"].values() for r in rows}
            built.append(time.perf_counter() - t0)
            result["explained_pairs"] = len(kept)
            result.setdefault("materialise_s", []).append(round(time.perf_counter() - t1, 4))
    elif case == "interactive":
        engine = Engine(vocabulary=vocab, geo=geo)
        t0 = time.perf_counter()
        engine.rank_places(participants[0], vacancies)  # first call: prepares the places
        result["first_call_s"] = time.perf_counter() - t0
        sample = participants[:200]
        for p in sample:
            c0, t0 = time.process_time(), time.perf_counter()
            engine.rank_places(p, vacancies, top=20)
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        fresh: list[float] = []
        for p in sample:
            copies = [Vacancy(**{f: getattr(v, f) for f in Vacancy.__dataclass_fields__}) for v in vacancies]
            t0 = time.perf_counter()
            engine.rank_places(p, copies, top=20)
            fresh.append(time.perf_counter() - t0)
        result["median_fresh_vacancy_objects_s"] = statistics.median(fresh)
        result["calls"] = len(sample)
    elif case == "assign":
        for _ in range(runs):
            engine = Engine(vocabulary=vocab, geo=geo)
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            out = engine.assign(participants, vacancies)
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        result["assignment"] = {
            "method": out.method,
            "total_score": out.total_score,
            "coverage": out.coverage,
            "max_per_place": out.max_per_place,
            "naive_top1": out.naive,
        }
    elif case in ("naive", "naive_filtered"):
        subset = participants[:naive_subset]
        for _ in range(runs):
            c0, t0 = time.process_time(), time.perf_counter()
            naive_rank_all(subset, vacancies, geo, filter_first=case == "naive_filtered")
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        result["subset_participants"] = len(subset)
        result["scaled_to_full_s"] = statistics.median(times) * n_p / len(subset)
        result["scaled_to_full_cpu_s"] = statistics.median(cpu_times) * n_p / len(subset)
    else:
        raise SystemExit(f"unknown case {case}")
    result["median_s"] = statistics.median(times)
    if built:
        result["median_with_objects_s"] = statistics.median(built)
    result["min_s"] = min(times)
    if len(times) <= 10:
        result["all_s"] = [round(t, 4) for t in times]
    result["cpu_s_total"] = round(time.process_time() - cpu0, 2)
    if cpu_times:
        result["median_cpu_s"] = round(statistics.median(cpu_times), 3 if case != "interactive" else 6)
        if case == "interactive":
            result["min_cpu_s"] = round(min(cpu_times), 6)
    result["load_after"] = round(os.getloadavg()[0], 2)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def machine() -> dict:
    """Describe the machine the figures come from."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import rapidfuzz
    import scipy

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "rapidfuzz": rapidfuzz.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "vocabulary": str(skills_path().relative_to(ROOT))
        + (" + seeds/esco_skills.csv" if (ROOT / "seeds" / "esco_skills.csv").exists() else ""),
    }


def main() -> None:
    """Run the requested cases, each in a child process, and print a JSON report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--case",
        choices=["full", "full_warm", "interactive", "assign", "naive", "naive_filtered", "all"],
        default="all",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--vacancies", type=int, default=2_000)
    parser.add_argument("--naive-subset", type=int, default=100)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(run_case(args.case, args.runs, args.participants, args.vacancies, args.naive_subset))
        )
        return
    cases = (
        ["full", "full_warm", "interactive", "assign", "naive", "naive_filtered"]
        if args.case == "all"
        else [args.case]
    )
    report = {"machine": machine(), "cases": []}
    for case in cases:
        runs = 3 if case.startswith("naive") else args.runs
        cmd = [
            sys.executable, __file__, "--child", "--case", case, "--runs", str(runs),
            "--participants", str(args.participants), "--vacancies", str(args.vacancies),
            "--naive-subset", str(args.naive_subset),
        ]  # fmt: skip
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        report["cases"].append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(report["cases"][-1]), file=sys.stderr)
    by_case = {c["case"]: c for c in report["cases"]}
    for name in ("full", "full_warm"):
        for naive in ("naive", "naive_filtered"):
            if name in by_case and naive in by_case:
                full, other = by_case[name], by_case[naive]
                tag = f"{name}_vs_{naive}"
                report[f"speedup_{tag}"] = round(other["scaled_to_full_s"] / full["median_s"], 1)
                report[f"cpu_speedup_{tag}"] = round(other["scaled_to_full_cpu_s"] / full["median_cpu_s"], 1)
                report[f"speedup_with_objects_{tag}"] = round(
                    other["scaled_to_full_s"] / full["median_with_objects_s"], 1
                )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
