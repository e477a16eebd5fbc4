"""The ``python -m matching`` command line: JSON in, JSON out, exit 2 on bad input with nothing printed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from matching_fixtures import DATA

from matching.cli import main

PARTICIPANTS = [
    {
        "id": "p1",
        "skills": [{"name": "heftruk", "level": 3}, {"name": "VCA attest", "level": 2}],
        "postal_code": "2000",
        "max_distance_km": 25,
        "hours_per_week": 38,
        "dutch_level": "B1",
        "driving_licence": True,
        "sectors": ["logistiek"],
    },
    {
        "id": "p2",
        "skills": [{"name": "poetsen", "level": 2}],
        "postal_code": "9000",
        "max_distance_km": 20,
        "hours_per_week": 30,
        "dutch_level": "A2",
        "driving_licence": False,
        "sectors": [],
    },
]
VACANCIES = [
    {
        "id": 1,
        "title": "Magazijnier",
        "sector": "logistiek",
        "skills": [{"name": "heftruck rijden", "required": True, "min_level": 2}],
        "postal_code": "2018",
        "hours_per_week": 38,
        "dutch_level": "A2",
        "driving_licence_required": False,
        "places": 1,
    },
    {
        "id": 2,
        "title": "Schoonmaker",
        "sector": "schoonmaak",
        "skills": [{"name": "schoonmaken", "required": True, "min_level": 1}],
        "postal_code": "9000",
        "hours_per_week": 24,
        "dutch_level": "A1",
        "driving_licence_required": False,
        "places": 2,
    },
]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def call(tmp_path, capsys, command, participants=PARTICIPANTS, vacancies=VACANCIES, *extra):
    argv = [
        command,
        "--participants", write(tmp_path, "P.json", participants),
        "--vacancies", write(tmp_path, "V.json", vacancies),
        "--skills", str(DATA / "skills.csv"),
        "--postal-codes", str(DATA / "postal_codes.csv"),
        *extra,
    ]  # fmt: skip
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_rank_prints_places_per_participant(tmp_path, capsys):
    code, out, err = call(tmp_path, capsys, "rank", PARTICIPANTS, VACANCIES, "--top", "10")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"p1", "p2"}
    assert data["p1"][0]["vacancy_id"] == 1
    assert data["p1"][0]["explanation"]["matched"][0]["skill"] == "heftruk"
    assert [r["vacancy_id"] for r in data["p2"]] == [2]


def test_assign_prints_assignments_and_summary(tmp_path, capsys):
    code, out, _ = call(tmp_path, capsys, "assign")
    data = json.loads(out)
    assert code == 0
    assert {(a["participant_id"], a["vacancy_id"]) for a in data["assignments"]} == {("p1", 1), ("p2", 2)}
    assert data["coverage"] == 1.0 and data["max_per_place"] == 1
    assert data["total_score"] == pytest.approx(sum(a["score"] for a in data["assignments"]))


def with_change(records, index, **changes):
    copy = json.loads(json.dumps(records))
    copy[index].update(changes)
    return copy


@pytest.mark.parametrize(
    ("participants", "vacancies", "expected"),
    [
        ("[{", VACANCIES, "malformed JSON"),
        ({"id": 1}, VACANCIES, "expected a JSON list"),
        ([{k: v for k, v in PARTICIPANTS[0].items() if k != "hours_per_week"}], VACANCIES,
         "record 0 (id 'p1'): field 'hours_per_week': missing"),
        (with_change(PARTICIPANTS, 1, postal_code="9999"), VACANCIES,
         "record 1 (id 'p2'): field 'postal_code': unknown postal code '9999'"),
        (with_change(PARTICIPANTS, 0, skills=[{"name": "heftruck", "level": 7}]), VACANCIES,
         "record 0 (id 'p1'): field 'skills[0].level': must be an integer 1–4, got 7"),
        (with_change(PARTICIPANTS, 0, dutch_level="D4"), VACANCIES, "field 'dutch_level'"),
        (PARTICIPANTS, with_change(VACANCIES, 1, skills=[{"name": "x", "min_level": 0}]),
         "vacancies (V.json): record 1 (id 2): field 'skills[0].min_level'"),
        (PARTICIPANTS, with_change(VACANCIES, 0, driving_licence_required="yes"),
         "field 'driving_licence_required': must be true or false"),
        (PARTICIPANTS, [VACANCIES[0], VACANCIES[0]], "record 1 (id 1): field 'id': duplicate id"),
        (with_change(PARTICIPANTS, 0, occupations="magazijnier"), VACANCIES,
         "record 0 (id 'p1'): field 'occupations': must be a list of strings, got str"),
        (with_change(PARTICIPANTS, 0, occupations=["kok", 3]), VACANCIES,
         "record 0 (id 'p1'): field 'occupations[1]': must be a non-empty string, got int"),
        (with_change(PARTICIPANTS, 1, occupations=["x" * 5000]), VACANCIES,
         "record 1 (id 'p2'): field 'occupations[0]': must be at most 200 characters, got 5000"),
        (PARTICIPANTS, with_change(VACANCIES, 0, occupation=["kok"]),
         "vacancies (V.json): record 0 (id 1): field 'occupation': must be a non-empty string, got list"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["rank", "assign"])
def test_bad_input_exits_2_naming_record_and_field_with_no_output(
    tmp_path, capsys, command, participants, vacancies, expected
):
    code, out, err = call(tmp_path, capsys, command, participants, vacancies)
    assert code == 2
    assert out == ""
    assert expected in err


def test_module_entry_point_runs(tmp_path):
    argv = [
        sys.executable, "-m", "matching", "assign",
        "--participants", write(tmp_path, "P.json", PARTICIPANTS),
        "--vacancies", write(tmp_path, "V.json", with_change(VACANCIES, 0, postal_code="0000")),
        "--skills", str(DATA / "skills.csv"),
        "--postal-codes", str(DATA / "postal_codes.csv"),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "field 'postal_code'" in done.stderr


def test_declined_pairs_are_left_out_of_the_ranking(tmp_path, capsys):
    declined = write(tmp_path, "D.json", [{"participant_id": "p1", "vacancy_id": 1}])
    code, out, _ = call(tmp_path, capsys, "rank", PARTICIPANTS, VACANCIES, "--declined", declined)
    assert code == 0
    assert 1 not in [r["vacancy_id"] for r in json.loads(out)["p1"]]


def test_rank_rewards_an_occupation_wish_and_says_so(tmp_path, capsys):
    wishing = with_change(
        PARTICIPANTS, 1, occupations=["schoonmaakster"], max_distance_km=200, hours_per_week=40
    )
    places = with_change(VACANCIES, 0, postal_code="9000", hours_per_week=24, occupation="kok")
    code, out, err = call(
        tmp_path, capsys, "rank", wishing, with_change(places, 1, occupation=None), "--top", "10"
    )
    assert code == 0 and err == ""
    ranked = json.loads(out)["p2"]
    assert [r["vacancy_id"] for r in ranked] == [2, 1]
    assert ranked[0]["explanation"]["occupation"] == {"wish": "schoonmaakster", "match": "same"}
    assert ranked[0]["explanation"]["components"]["occupation"]["value"] == 1.0
    assert ranked[1]["explanation"]["components"]["occupation"]["value"] == 0.0
    code, out, _ = call(tmp_path, capsys, "rank")  # without wishes the component does not apply
    assert "occupation" not in json.loads(out)["p1"][0]["explanation"]["components"]
