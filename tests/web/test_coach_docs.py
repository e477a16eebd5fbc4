"""docs/coach.md follows the code: the pipeline table is generated from TRANSITIONS, every CSV column and rubric item is documented."""
from __future__ import annotations

from web.coach import pipeline_doc
from web.services.csv_import import COLUMNS, REQUIRED_COLUMNS
from web.services.evaluations import RUBRIC
from web.services.proposals import TRANSITIONS


def test_pipeline_table_in_the_docs_matches_transitions():
    text = pipeline_doc.DOC.read_text(encoding="utf-8")
    assert pipeline_doc.render(text) == text, "run python -m web.coach.pipeline_doc"
    table = pipeline_doc.pipeline_table()
    for (from_state, to_state), roles in TRANSITIONS.items():
        row = next(line for line in table.splitlines() if f"| `{to_state}` | {', '.join(r for r in pipeline_doc.ROLE_ORDER if r in roles)} |" in line)
        assert f"`{from_state}`" in row.split("|")[1]


def test_pipeline_check_fails_on_a_stale_table(tmp_path, monkeypatch):
    stale = tmp_path / "coach.md"
    stale.write_text(f"x\n{pipeline_doc.START}\n| old |\n{pipeline_doc.END}\ny\n", encoding="utf-8")
    monkeypatch.setattr(pipeline_doc, "DOC", stale)
    assert pipeline_doc.main(["pipeline_doc", "--check"]) == 1
    assert pipeline_doc.main(["pipeline_doc"]) == 0
    assert pipeline_doc.main(["pipeline_doc", "--check"]) == 0
    assert stale.read_text(encoding="utf-8").startswith("x\n") and stale.read_text(encoding="utf-8").endswith("\ny\n")


def test_every_csv_column_and_rubric_item_is_documented(app):
    text = pipeline_doc.DOC.read_text(encoding="utf-8")
    for column in COLUMNS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{column}` |"))
        assert ("| yes |" in row) == (column in REQUIRED_COLUMNS), column
    header = next(line for line in text.splitlines() if line.startswith("first_name,"))
    assert header.split(",") == list(COLUMNS)
    with app.test_request_context():
        for label, _scale in RUBRIC.values():
            assert f"| {label} (" in text
