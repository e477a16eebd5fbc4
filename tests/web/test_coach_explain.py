"""The coach's match explanations read as plain sentences in Dutch and English (levels, distance)."""
from __future__ import annotations

from flask import session as flask_session

from web.coach.explain import explain_lines

EXPLANATION = {
    "matched": [
        {"requirement": "vrachtwagens lossen", "skill": "laden en lossen", "level": 3, "min_level": 2, "required": True},
        {"requirement": "orderpicking", "skill": "orderpicking", "level": 1, "min_level": 3, "required": True},
        {"requirement": "barcodescanner", "skill": "scanner", "level": 2, "min_level": 3, "required": False},
    ],
    "missing": [],
    "distance_km": 0.0,
    "exclusions": [],
    "improvements": [],
}


def _lines(app, lang: str, **kwargs) -> list[str]:
    with app.test_request_context():
        flask_session["lang"] = lang
        return explain_lines(EXPLANATION, **kwargs)


def test_matched_skill_names_the_participant_and_the_asked_level(app):
    lines = _lines(app, "nl", name="Dana")
    assert "Past: vrachtwagens lossen (vereist) — Dana kan „laden en lossen” op niveau 3 (gevraagd: 2)." in lines
    assert not any(" van 2" in line or "niveau 3 van" in line for line in lines)


def test_level_below_the_minimum_is_said_plainly(app):
    lines = _lines(app, "nl", name="Dana")
    assert "Past deels: orderpicking (vereist) — Dana kan dit op niveau 1, maar gevraagd is niveau 3." in lines
    assert "Past deels: barcodescanner (pluspunt) — Dana kan „scanner” op niveau 2, maar gevraagd is niveau 3." in lines


def test_same_municipality_reads_less_than_one_km(app):
    nl = _lines(app, "nl", name="Dana")
    assert "Afstand: minder dan 1 km." in nl and not any("0 km" in line for line in nl)
    with app.test_request_context():
        participant = explain_lines(EXPLANATION, audience="participant")
    assert "Minder dan 1 km van je woonplaats." in participant


def test_explanations_read_naturally_in_english(app):
    lines = _lines(app, "en", name="Dana")
    assert "Matches: vrachtwagens lossen (required) — Dana has “laden en lossen” at level 3 (asked for: 2)." in lines
    assert "Partly matches: orderpicking (required) — Dana has it at level 1, but level 3 is asked for." in lines
    assert "Distance: less than 1 km." in lines
    without_name = _lines(app, "en")
    assert any("— the participant has “laden en lossen”" in line for line in without_name)
