"""CSV import of a caseload: documented columns, line-numbered errors, all-or-nothing."""
import io

from sqlmodel import func, select

from tests.conftest import make_user
from web.config import REPO_ROOT
from web.models import Participant, ParticipantSkill, Trajectory

HEADER = "first_name,last_name,email,postal_code,hours_per_week,dutch_level,driving_licence,skills,phase\n"


def _upload(client, text: str):
    return client.post("/coach/import", data={"file": (io.BytesIO(text.encode()), "caseload.csv")}, content_type="multipart/form-data")


def test_sample_file_imports_completely(session, client, login_as):
    coach = make_user(session, "coach")
    login_as(coach)
    content = (REPO_ROOT / "seeds" / "caseload_sample.csv").read_text(encoding="utf-8")
    assert _upload(client, content).status_code == 302
    people = session.exec(select(Participant).where(Participant.coach_id == coach.id)).all()
    assert len(people) == 3
    sofie = next(p for p in people if p.first_name == "Sofie")
    assert sofie.preferred_sectors == ["logistiek", "productie"] and sofie.hours_per_week == 30
    skills = {s.name: (s.level, s.source) for s in session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id == sofie.id))}
    assert skills == {"heftruck rijden": (3, "import"), "orderpicking": (2, "import")}
    assert session.exec(select(Trajectory).where(Trajectory.participant_id == sofie.id)).one().current_phase == "jobmatching"


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(session, client, login_as):
    coach = make_user(session, "coach")
    login_as(coach)
    text = HEADER + (
        "Ann,Goed,ann@example.be,9000,30,B1,nee,heftruck:3,jobmatching\n"
        "Bart,Fout,bart@example.be,9999,30,B1,nee,,voortraject\n"
        "Cis,Ook,cis@example.be,2000,99,Z9,misschien,snoeien:7,stage\n"
    )
    response = _upload(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Regel 3: postcode 9999 bestaat niet" in html
    assert "Regel 4: hours_per_week moet een getal van 1 tot 50 zijn" in html
    assert "Regel 4: dutch_level Z9" in html and "Regel 4: driving_licence" in html and "Regel 4: vaardigheid snoeien:7" in html
    assert session.exec(select(func.count()).select_from(Participant)).one() == 0


def test_missing_required_column_is_refused(session, client, login_as):
    login_as(make_user(session, "coach"))
    html = _upload(client, "first_name,last_name\nAnn,Goed\n").get_data(as_text=True)
    assert "Regel 1: verplichte kolommen ontbreken: postal_code, hours_per_week" in html


def test_duplicate_email_in_file_is_an_error(session, client, login_as):
    login_as(make_user(session, "coach"))
    text = HEADER + "Ann,Een,a@example.be,9000,30,,,,\nAnn,Twee,a@example.be,9000,30,,,,\n"
    html = _upload(client, text).get_data(as_text=True)
    assert "Regel 3: e-mailadres a@example.be komt twee keer voor" in html
    assert session.exec(select(func.count()).select_from(Participant)).one() == 0


def test_semicolon_separated_file_is_accepted(session, client, login_as):
    login_as(make_user(session, "coach"))
    assert _upload(client, "first_name;last_name;postal_code;hours_per_week\nAnn;Puntkomma;9000;20\n").status_code == 302
    assert session.exec(select(Participant.last_name)).one() == "Puntkomma"


def test_sample_can_be_downloaded(session, client, login_as):
    login_as(make_user(session, "coach"))
    response = client.get("/coach/import/voorbeeld.csv")
    assert response.status_code == 200 and response.data.startswith(b"first_name,last_name")
    response.close()
