"""Write the proposal pipeline table in docs/coach.md from ``TRANSITIONS``, so the documentation cannot drift.

    python -m web.coach.pipeline_doc          # rewrite the table between the markers in docs/coach.md
    python -m web.coach.pipeline_doc --check  # exit 1 when docs/coach.md is out of date (the tests check it too)
"""
from __future__ import annotations

import sys
from pathlib import Path

from web.models import PROPOSAL_STATES
from web.services.proposals import TRANSITIONS
from web.services.trajectories import PIPELINE_PHASES

DOC = Path(__file__).resolve().parents[2] / "docs" / "coach.md"
START, END = "<!-- pipeline:start (python -m web.coach.pipeline_doc) -->", "<!-- pipeline:end -->"
ROLE_ORDER = ("coach", "employer", "participant")


def pipeline_table() -> str:
    """A Markdown table of the allowed proposal transitions: from, to, who may make the step, what the trajectory does."""
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (from_state, to_state), roles in TRANSITIONS.items():
        key = (to_state, tuple(r for r in ROLE_ORDER if r in roles))
        grouped.setdefault(key, []).append(from_state)
    rows = sorted(grouped.items(), key=lambda item: (PROPOSAL_STATES.index(item[0][0]), item[0][1]))
    lines = ["| From | To | Who may do it | Trajectory phase |", "|---|---|---|---|"]
    for (to_state, roles), sources in rows:
        sources = sorted(sources, key=PROPOSAL_STATES.index)
        phase = PIPELINE_PHASES.get(to_state)
        lines.append(
            f"| {', '.join(f'`{s}`' for s in sources)} | `{to_state}` | {', '.join(roles)} | "
            f"{f'→ `{phase}`' if phase else '—'} |"
        )
    return "\n".join(lines)


def render(text: str) -> str:
    """The document with the table between the markers replaced by the current one."""
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{pipeline_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("docs/coach.md: the pipeline table is out of date; run python -m web.coach.pipeline_doc", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
