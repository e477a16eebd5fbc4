"""The API's employer place list and coach caseload are filtered, sorted and paged in the database, with the same rows
as the pages: places without the sort value come last in both directions, a page past the end is empty."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from tests.web.api_helpers import auth, token_for
from web.models import utcnow


def _ids(client, url, raw, **query):
    body = client.get(url, query_string=query, headers=auth(raw)).get_json()
    return [item["id"] for item in body["items"]], body["total"]


def test_employer_places_are_sorted_filtered_and_paged_with_missing_values_last(app, client, session):
    owner = make_user(session, "employer")
    employer = make_employer(session, user=owner)
    other = make_employer(session, name="Buur")
    make_place(session, other, title="Niet van mij")
    now = utcnow()
    soon = make_place(session, employer, title="beta", status="published", expires_at=now + timedelta(days=3))
    late = make_place(session, employer, title="Alfa", status="published", expires_at=now + timedelta(days=30))
    never = make_place(session, employer, title="gamma", status="draft", expires_at=None, published_at=None)
    person = make_participant(session, make_user(session, "coach"))
    make_proposal(session, person, soon)
    make_proposal(session, person, late, state="declined")
    raw = token_for(app, owner)
    url = "/api/v1/employer/places"

    assert _ids(client, url, raw, sort="expires_at") == ([soon.id, late.id, never.id], 3)
    assert _ids(client, url, raw, sort="-expires_at") == ([late.id, soon.id, never.id], 3)
    assert _ids(client, url, raw, sort="title") == ([late.id, soon.id, never.id], 3)  # case does not matter
    assert _ids(client, url, raw, status="published", sort="-title") == ([soon.id, late.id], 2)
    assert _ids(client, url, raw, sort="title", per_page=2, page=2) == ([never.id], 3)
    assert _ids(client, url, raw, sort="title", per_page=2, page=3) == ([], 3)
    items = client.get(url, query_string={"sort": "title"}, headers=auth(raw)).get_json()["items"]
    assert [i["open_proposals"] for i in items] == [0, 1, 0]  # a declined proposal is not open
    assert items[2]["publish_problems"] == [] or all(isinstance(p, str) for p in items[2]["publish_problems"])
    assert items[0]["skills"][0]["name"] == "heftruck rijden"


def test_the_caseload_list_has_the_pages_people_sorted_and_paged_in_the_database(app, client, session):
    from web.services.caseload import caseload_rows

    team_coach = make_user(session, "coach")
    coach = make_user(session, "coach")
    now = utcnow()
    b = make_participant(session, coach, first_name="Bea", last_name="bos", last_contact_at=now - timedelta(days=1))
    a = make_participant(session, coach, first_name="An", last_name="Aerts", last_contact_at=now - timedelta(days=9))
    c = make_participant(session, coach, first_name="Cas", last_name="Claes", phase="voortraject")
    make_participant(session, coach, first_name="Gewist", last_name="Inactief", active=False)
    make_participant(session, team_coach, first_name="Ander", last_name="Team")
    raw = token_for(app, coach)
    url = "/api/v1/coach/participants"

    assert _ids(client, url, raw) == ([a.id, b.id, c.id], 3)
    assert {r.participant_id for r in caseload_rows(session=session, coach=coach)} == {a.id, b.id, c.id}  # the page's people
    assert _ids(client, url, raw, sort="-name") == ([c.id, b.id, a.id], 3)
    assert _ids(client, url, raw, sort="last_contact_at") == ([a.id, b.id, c.id], 3)
    assert _ids(client, url, raw, sort="-last_contact_at") == ([b.id, a.id, c.id], 3)  # no contact yet: last either way
    assert _ids(client, url, raw, phase="voortraject") == ([c.id], 1)
    assert _ids(client, url, raw, q="bea b") == ([b.id], 1)
    assert _ids(client, url, raw, per_page=2, page=2) == ([c.id], 3)
    items = client.get(url, headers=auth(raw)).get_json()["items"]
    assert [i["phase"] for i in items] == ["jobmatching", "jobmatching", "voortraject"]
    assert items[0]["skills"][0]["name"] == "heftruck"
    bad = client.get(url, query_string={"sort": "geheim"}, headers=auth(raw))
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
