"""A place's ranked participants: explanations are fetched when the coach opens them, only for the coach's own people."""
from __future__ import annotations

from sqlmodel import Session

from tests.conftest import make_employer, make_participant, make_place, make_user
from web.services.matching import refresh_matches_for_place


def _world(app, session):
    coach = make_user(session, "coach")
    place = make_place(session, make_employer(session), title="Magazijn")
    mine = make_participant(session, coach, first_name="Dana", skills=(("heftruck rijden", 4),))
    other = make_participant(session, make_user(session, "coach"), first_name="Vreemd", skills=(("heftruck rijden", 4),))
    with Session(app.extensions["db_engine"]) as db:
        refresh_matches_for_place(session=db, place_id=place.id)
        db.commit()
    return coach, place, mine, other


def test_the_place_page_links_each_explanation_instead_of_rendering_it(app, session, client, login_as):
    coach, place, mine, _other = _world(app, session)
    login_as(coach)
    html = client.get(f"/coach/stageplaatsen/{place.id}").get_data(as_text=True)
    url = f"/coach/stageplaatsen/{place.id}/deelnemers/{mine.id}/uitleg"
    assert f'data-src="{url}"' in html and "Waarom deze score?" in html
    assert "heftruck rijden" not in html.split('id="ranked"')[1].split('id="fiche"')[0]  # no reasons in the list itself
    assert "js/lazy-details.js" in html


def test_the_explanation_comes_as_a_fragment_or_as_a_page(app, session, client, login_as):
    coach, place, mine, _other = _world(app, session)
    login_as(coach)
    url = f"/coach/stageplaatsen/{place.id}/deelnemers/{mine.id}/uitleg"
    fragment = client.get(url, headers={"X-Fragment": "1"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert '<ul class="reasons">' in body and "heftruck rijden" in body and "<html" not in body
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Waarom Dana" in page and "heftruck rijden" in page
    english = client.get(url, headers={"X-Fragment": "1", "Accept-Language": "en"})
    assert english.status_code == 200


def test_another_coachs_participant_or_a_closed_place_is_not_found(app, session, client, login_as):
    coach, place, mine, other = _world(app, session)
    login_as(coach)
    assert client.get(f"/coach/stageplaatsen/{place.id}/deelnemers/{other.id}/uitleg", headers={"X-Fragment": "1"}).status_code == 404
    assert client.get(f"/coach/stageplaatsen/{place.id}/deelnemers/999999/uitleg").status_code == 404
    place.status = "paused"
    session.add(place)
    session.commit()
    assert client.get(f"/coach/stageplaatsen/{place.id}/deelnemers/{mine.id}/uitleg").status_code == 404


def test_other_roles_cannot_read_explanations(app, session, client, login_as):
    _coach, place, mine, _other = _world(app, session)
    login_as(make_user(session, "employer"))
    response = client.get(f"/coach/stageplaatsen/{place.id}/deelnemers/{mine.id}/uitleg")
    assert response.status_code in (302, 403, 404)
