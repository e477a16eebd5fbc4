"""Every long list pages, sorts and filters on the server in the same way (web/paging.py, templates/_paging.html).

Each list is filled with 55 rows named ``Lijst01`` … ``Lijst55`` so the order can be read back from the page: the
first, a middle and the last page at 25 rows, the other direction, a filter without result, and invalid page
numbers, sizes and sort keys (they give the first page in the default order, never an error).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import AuditLog, MatchSuggestion, Team, utcnow
from web.paging import PageRequest, read_page_request

N = 55
NAMES = [f"Lijst{i:02d}" for i in range(1, N + 1)]
MARK = re.compile(r"Lijst\d\d")


def shown(client, url: str, **args) -> list[str]:
    """The row names a list page shows, in order (each name once)."""
    response = client.get(url, query_string=args)
    assert response.status_code == 200, (url, args)
    seen: list[str] = []
    for name in MARK.findall(response.get_data(as_text=True)):
        if name not in seen:
            seen.append(name)
    return seen


def check_paging(client, url: str, ascending: list[str], sort_key: str, **filters) -> None:
    """First, middle and last page in both directions, page size 50, invalid arguments and a filter without result."""
    assert shown(client, url, sorteer=sort_key, **filters) == ascending[:25]
    assert shown(client, url, sorteer=sort_key, pagina=2, **filters) == ascending[25:50]
    assert shown(client, url, sorteer=sort_key, pagina=3, **filters) == ascending[50:]
    descending = list(reversed(ascending))
    assert shown(client, url, sorteer=f"-{sort_key}", **filters) == descending[:25]
    assert shown(client, url, sorteer=f"-{sort_key}", pagina=3, **filters) == descending[50:]
    assert shown(client, url, sorteer=sort_key, aantal=50, pagina=2, **filters) == ascending[50:]
    for bad in ({"pagina": "abc"}, {"pagina": "0"}, {"pagina": "-3"}, {"pagina": "999"}, {"aantal": "7"}, {"aantal": "x"}):
        assert shown(client, url, sorteer=sort_key, **filters, **bad) == ascending[:25], bad


def check_default_and_bad_sort(client, url: str, default_order: list[str], **filters) -> None:
    assert shown(client, url, **filters) == default_order[:25]
    assert shown(client, url, sorteer="drop table", **filters) == default_order[:25]
    assert shown(client, url, sorteer="-", pagina=3, **filters) == default_order[50:]


# --- the helper -----------------------------------------------------------------------------------


def test_page_request_reads_page_size_and_sort_and_falls_back_on_anything_invalid():
    sorts = ("naam", "datum")
    assert read_page_request(MultiDict({"pagina": "3", "aantal": "50", "sorteer": "-datum"}), sorts=sorts, default="naam") == PageRequest(3, 50, "datum", True)
    assert read_page_request(MultiDict({"pagina": "x", "aantal": "1000", "sorteer": "wachtwoord"}), sorts=sorts, default="-datum") == PageRequest(1, 25, "datum", True)
    assert read_page_request(MultiDict({"pagina": "-1", "sorteer": "naam"}), sorts=sorts, default="naam") == PageRequest(1, 25, "naam", False)
    assert read_page_request(MultiDict({"sorteer": "--naam"}), sorts=sorts, default="-datum") == PageRequest(1, 25, "datum", True)


# --- coach lists ------------------------------------------------------------------------------------


@pytest.fixture
def coach(session):
    return make_user(session, "coach")


def test_caseload_pages_sorts_and_filters(session, login_as, coach):
    order = list(range(N))
    for i in reversed(order):  # created in reverse so the order cannot come from the ids
        make_participant(session, coach, first_name="P", last_name=NAMES[i], phase="voortraject" if i < 5 else "jobmatching")
    client = login_as(coach)
    check_paging(client, "/coach/deelnemers", NAMES, "naam")
    check_default_and_bad_sort(client, "/coach/deelnemers", NAMES)
    assert shown(client, "/coach/deelnemers", fase="voortraject") == NAMES[:5]
    assert shown(client, "/coach/deelnemers", q="Lijst4") == NAMES[39:49]
    page = client.get("/coach/deelnemers", query_string={"q": "niemand"}).get_data(as_text=True)
    assert "Geen deelnemers gevonden." in page and "Geen resultaten" in page
    html = client.get("/coach/deelnemers", query_string={"pagina": 2, "q": "Lijst"}).get_data(as_text=True)
    assert "26–50 van 55" in html and 'rel="next"' in html and 'rel="prev"' in html
    assert "q=Lijst" in re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")  # links keep the filters


def test_caseload_sorts_by_phase_and_filters_by_coach_of_a_shared_team(session, login_as):
    team = Team(name="Team Gent", shared_caseload=True)
    session.add(team)
    session.commit()
    me, colleague = make_user(session, "coach", team_id=team.id, full_name="Ann"), make_user(session, "coach", team_id=team.id, full_name="Bert")
    for i, name in enumerate(NAMES[:6]):
        make_participant(session, me if i % 2 else colleague, first_name="P", last_name=name, phase=("stage", "voortraject", "nazorg")[i % 3])
    client = login_as(me)
    assert shown(client, "/coach/deelnemers", coach=colleague.id) == ["Lijst01", "Lijst03", "Lijst05"]
    assert shown(client, "/coach/deelnemers", sorteer="fase") == ["Lijst02", "Lijst05", "Lijst01", "Lijst04", "Lijst03", "Lijst06"]
    assert shown(client, "/coach/deelnemers", sorteer="coach") == ["Lijst02", "Lijst04", "Lijst06", "Lijst01", "Lijst03", "Lijst05"]
    assert shown(client, "/coach/deelnemers", coach="999999") == NAMES[:6]  # a coach outside the team is ignored


def test_coach_places_page_sort_by_title_and_by_distance_from_a_postal_code(session, login_as, coach):
    employer = make_employer(session, name="Alfa")
    codes = ["9000", "9300", "2000", "8000", "3500"]  # Gent, Aalst, Antwerpen, Brugge, Hasselt
    for i in reversed(range(N)):
        make_place(session, employer, title=NAMES[i], postal_code=codes[i % 5], sector="horeca" if i == 0 else "logistiek")
    client = login_as(coach)
    check_paging(client, "/coach/stageplaatsen", NAMES, "titel")
    check_default_and_bad_sort(client, "/coach/stageplaatsen", NAMES)
    near_gent = shown(client, "/coach/stageplaatsen", postcode="9000", aantal=100)
    assert near_gent[:11] == [n for i, n in enumerate(NAMES) if codes[i % 5] == "9000"]  # Gent first, then Aalst
    assert near_gent[11:22] == [n for i, n in enumerate(NAMES) if codes[i % 5] == "9300"]
    assert near_gent[-11:] == [n for i, n in enumerate(NAMES) if codes[i % 5] == "3500"]  # Hasselt is furthest
    assert "0.0 km" in client.get("/coach/stageplaatsen", query_string={"postcode": "9000"}).get_data(as_text=True)
    assert shown(client, "/coach/stageplaatsen", sector="horeca") == ["Lijst01"]
    assert shown(client, "/coach/stageplaatsen", q="lijst1") == NAMES[9:19]
    assert shown(client, "/coach/stageplaatsen", q="niets dergelijks") == []
    assert shown(client, "/coach/stageplaatsen", beschikbaar="full") == []


def test_place_ranked_participants_are_paged_best_first(session, login_as, coach):
    employer = make_employer(session)
    place = make_place(session, employer, title="Heftruck")
    for i in range(N):
        person = make_participant(session, coach, first_name="P", last_name=NAMES[i])
        session.add(MatchSuggestion(participant_id=person.id, place_id=place.id, score=100 - i, explanation={}, engine_version="t"))
    session.commit()
    client = login_as(coach)
    url = f"/coach/stageplaatsen/{place.id}"
    check_paging(client, url, list(reversed(NAMES)), "score")
    check_default_and_bad_sort(client, url, NAMES)
    assert shown(client, url, sorteer="naam", pagina=3) == NAMES[50:]
    assert shown(client, url, q="Lijst55") == ["Lijst55"]
    assert shown(client, url, q="niemand") == []


# --- employer and admin lists ------------------------------------------------------------------------


def test_employer_proposals_page_filter_by_state_waiting_and_place(session, login_as, coach):
    owner = make_user(session, "employer")
    employer = make_employer(session, user=owner)
    first, second = make_place(session, employer, title="Plaats A"), make_place(session, employer, title="Plaats B")
    start = utcnow() - timedelta(days=100)
    for i in range(N):
        person = make_participant(session, coach, first_name=NAMES[i], consent_level="skills_name")
        make_proposal(session, person, first if i < 50 else second, state="intake_planned" if i % 10 == 0 else "proposed",
                      created_at=start + timedelta(hours=i))
    client = login_as(owner)
    check_paging(client, "/werkgever/voorstellen", NAMES, "ontvangen")
    check_default_and_bad_sort(client, "/werkgever/voorstellen", list(reversed(NAMES)))
    assert shown(client, "/werkgever/voorstellen", status="intake_planned", sorteer="ontvangen") == [NAMES[i] for i in range(0, N, 10)]
    assert shown(client, "/werkgever/voorstellen", plaats=second.id, sorteer="ontvangen") == NAMES[50:]
    assert len(shown(client, "/werkgever/voorstellen", wacht="1", aantal=100)) == N  # proposed and intake_planned both wait for the employer
    assert shown(client, "/werkgever/voorstellen", status="hired") == []
    assert "Geen voorstellen gevonden." in client.get("/werkgever/voorstellen", query_string={"status": "hired"}).get_data(as_text=True)


def test_admin_users_page_filter_by_role_organisation_and_active(session, login_as):
    admin = make_user(session, "admin", full_name="Beheerder")
    for i in reversed(range(N)):
        make_user(session, "coach", full_name=NAMES[i], is_active=i % 5 != 0)
    employer = make_employer(session, user=make_user(session, "employer", full_name="Werkgever Lijstloos"), name="Zeldzaam Bedrijf")
    client = login_as(admin)
    check_paging(client, "/admin/gebruikers", NAMES, "naam", rol="coach")
    check_default_and_bad_sort(client, "/admin/gebruikers", NAMES, rol="coach")
    assert shown(client, "/admin/gebruikers", rol="coach", actief="nee") == [NAMES[i] for i in range(0, N, 5)]
    assert len(shown(client, "/admin/gebruikers", rol="coach", actief="ja", aantal=100)) == N - 11
    assert "Werkgever Lijstloos" in client.get("/admin/gebruikers", query_string={"organisatie": "zeldzaam"}).get_data(as_text=True)
    assert employer.name in client.get("/admin/gebruikers", query_string={"organisatie": "zeldzaam"}).get_data(as_text=True)
    assert shown(client, "/admin/gebruikers", q="niemand") == []


def test_admin_organisations_page_and_search(session, login_as):
    admin = make_user(session, "admin")
    for i in reversed(range(N)):
        employer = make_employer(session, name=NAMES[i], postal_code="9000")
        if i < 3:
            make_place(session, employer)
    client = login_as(admin)
    check_paging(client, "/admin/organisaties", NAMES, "naam")
    check_default_and_bad_sort(client, "/admin/organisaties", NAMES)
    assert sorted(shown(client, "/admin/organisaties", sorteer="-plaatsen")[:3]) == NAMES[:3]
    assert shown(client, "/admin/organisaties", q="lijst5") == NAMES[49:55]
    assert shown(client, "/admin/organisaties", q="niets", sector="horeca") == []


def test_audit_log_pages_newest_first_and_filters_by_actor(session, login_as):
    admin = make_user(session, "admin", email="beheer@example.be")
    other = make_user(session, "admin", email="ander@example.be")
    start = utcnow() - timedelta(days=10)
    for i in range(N):
        session.add(AuditLog(actor_id=admin.id if i % 2 else other.id, action="test.lijst", object_type=NAMES[i], at=start + timedelta(minutes=i)))
    session.commit()
    client = login_as(admin)
    check_paging(client, "/admin/audit", NAMES, "wanneer", action="test.lijst")
    check_default_and_bad_sort(client, "/admin/audit", list(reversed(NAMES)), action="test.lijst")
    assert shown(client, "/admin/audit", action="test.lijst", actor="ander", sorteer="wanneer") == NAMES[0::2][:25]
    assert shown(client, "/admin/audit", action="test.lijst", date_from="2000-01-01", date_to="2000-01-02") == []
