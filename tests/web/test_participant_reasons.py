"""The participant's reasons read as correct, plain Dutch (and English) for every skill label: verbs, nouns, free text."""
from __future__ import annotations

import csv
import re

from flask import session as flask_session

from web.config import REPO_ROOT
from web.services.participant_portal import participant_reasons, skill_heading


def _sample_labels(n: int = 30) -> list[str]:
    with open(REPO_ROOT / "seeds" / "skills.csv", encoding="utf-8") as fh:
        labels = [row["label_nl"] for row in csv.DictReader(fh)]
    step = max(1, len(labels) // n)
    return labels[::step][:n]


def _explanation(labels, *, required=True, level=3, min_level=2) -> dict:
    return {
        "matched": [{"requirement": label, "skill": label, "level": level, "min_level": min_level, "required": required} for label in labels],
        "missing": [{"requirement": label, "required": True, "min_level": 2} for label in labels],
        "exclusions": [],
    }


def test_every_sampled_skill_label_makes_a_whole_sentence(app):
    labels = _sample_labels()
    assert len(labels) == 30
    with app.test_request_context():
        reasons, to_learn = participant_reasons(_explanation(labels))
        nice, _ = participant_reasons(_explanation(labels, required=False))
        low, _ = participant_reasons(_explanation(labels, level=1, min_level=3))
    for label, fit, plus, below, learn in zip(labels, reasons, nice, low, to_learn, strict=True):
        head = skill_heading(label)
        assert head[:1].isupper() or not head[:1].isalpha()
        assert fit == f"{head}: dat staat in jouw profiel. Dat zoeken ze."
        assert plus == f"{head}: dat staat in jouw profiel. Dat is een pluspunt."
        assert below == f"{head}: dat staat in jouw profiel. Ze vragen iets meer. Daar leer je nog bij."
        assert learn == f"{head}: dat vragen ze ook. Vraag je coach hoe je dat kan leren."
    assert not any(line.startswith(("Je kan ", "Ze vragen ook ")) for line in reasons + to_learn)


def test_noun_skills_no_longer_read_as_broken_dutch(app):
    with app.test_request_context():
        reasons, _ = participant_reasons(_explanation(["barcodescanner", "punctualiteit"]))
    assert reasons == ["Barcodescanner: dat staat in jouw profiel. Dat zoeken ze.", "Punctualiteit: dat staat in jouw profiel. Dat zoeken ze."]
    assert not any(re.search(r"Je kan (barcodescanner|punctualiteit)", line) for line in reasons)


def test_free_text_is_trimmed_and_capitalised():
    assert skill_heading("  klantvriendelijk   zijn. ") == "Klantvriendelijk zijn"
    assert skill_heading("eID-kaartlezer gebruiken") == "eID-kaartlezer gebruiken"
    assert skill_heading("HACCP-normen toepassen:") == "HACCP-normen toepassen"
    assert skill_heading("") == ""


def test_reasons_read_naturally_in_english(app):
    with app.test_request_context():
        flask_session["lang"] = "en"
        reasons, to_learn = participant_reasons(_explanation(["punctualiteit"]))
    assert reasons == ["Punctualiteit: that is in your profile. They are looking for that."]
    assert to_learn == ["Punctualiteit: they ask for this too. Ask your coach how you can learn it."]
