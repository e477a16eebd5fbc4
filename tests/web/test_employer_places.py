"""Stage places: drafts, publishing with what is missing, the status actions, expiry, duplicates, the list, autocomplete."""
from datetime import date, timedelta

from sqlalchemy import event
from sqlmodel import select

from tests.conftest import make_participant, make_proposal, make_user
from tests.web.employer_helpers import complete_sheet, draft_place, employer_with_user, place_form_data
from web.models import AuditLog, CostLine, CostSheet, PlaceSkill, Setting, SkillTerm, StagePlace, utcnow
from web.services.places import expire_places


def _places(session, employer):
    return session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id).order_by(StagePlace.id)).all()


def test_employer_creates_a_draft_place_with_skills(client, session, login_as):
    employer, user = employer_with_user(session)
    session.add(SkillTerm(id="heftruck", label_nl="heftruck rijden", variants_nl=["vorkheftruck"], label_en="forklift driving", group="logistiek"))
    session.commit()
    login_as(user)
    response = client.post("/werkgever/plaatsen/nieuw", data=place_form_data())
    assert response.status_code == 302
    place = _places(session, employer)[0]
    assert place.status == "draft" and place.title == "Magazijnmedewerker" and place.hours_per_week == 30
    assert place.created_by_id == user.id
    skills = session.exec(select(PlaceSkill).where(PlaceSkill.place_id == place.id).order_by(PlaceSkill.position)).all()
    assert [(s.name, s.required, s.min_level, s.taxonomy_id) for s in skills] == [
        ("heftruck rijden", True, 2, "heftruck"), ("orderpicking", False, 1, None)]
    assert session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).first() is not None
    assert response.headers["Location"].endswith(f"/werkgever/plaatsen/{place.id}/fiche/bewerken")


def test_place_title_gets_the_esco_uri_of_a_known_occupation(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    client.post("/werkgever/plaatsen/nieuw", data=place_form_data(title="aannemer bouw"))
    assert _places(session, employer)[0].title_esco_uri.startswith("http://data.europa.eu/esco/occupation/")


def test_an_incomplete_draft_still_saves(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    response = client.post("/werkgever/plaatsen/nieuw", data={"title": "", "places": "1"})
    assert response.status_code == 302
    place = _places(session, employer)[0]
    assert place.status == "draft" and place.title == "" and place.hours_per_week is None


def test_publishing_an_incomplete_place_says_what_is_missing(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, description=None, hours_per_week=None)
    login_as(user)
    response = client.post(f"/werkgever/plaatsen/{place.id}/status", data={"action": "publish"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Je kan nog niet publiceren" in html
    assert "Beschrijf de stageplaats." in html
    assert "Vul het aantal uren per week in." in html
    assert "Fiche: vul de naam van de mentor in." in html
    session.refresh(place)
    assert place.status == "draft"


def test_publishing_a_complete_place_sets_expiry_from_the_setting(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    complete_sheet(session, place)
    session.add(Setting(key="place_expiry_days", value=30))
    session.commit()
    login_as(user)
    before = utcnow()
    response = client.post(f"/werkgever/plaatsen/{place.id}/status", data={"action": "publish"})
    assert response.status_code == 302
    session.refresh(place)
    assert place.status == "published"
    assert timedelta(days=29, hours=23) < place.expires_at - before < timedelta(days=30, minutes=5)
    assert session.exec(select(AuditLog).where(AuditLog.action == "place.publish")).first() is not None


def test_expiry_defaults_to_the_configured_days(client, session, login_as, app):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    complete_sheet(session, place)
    login_as(user)
    client.post(f"/werkgever/plaatsen/{place.id}/status", data={"action": "publish"})
    session.refresh(place)
    assert app.config["PLACE_EXPIRY_DAYS"] == 60
    assert timedelta(days=59, hours=23) < place.expires_at - utcnow() <= timedelta(days=60)


def test_pause_fill_and_close_follow_the_status_table(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    complete_sheet(session, place)
    login_as(user)
    url = f"/werkgever/plaatsen/{place.id}/status"
    client.post(url, data={"action": "publish"})
    client.post(url, data={"action": "pause"})
    session.refresh(place)
    assert place.status == "paused"
    client.post(url, data={"action": "fill"})
    session.refresh(place)
    assert place.status == "filled"
    response = client.post(url, data={"action": "pause"}, follow_redirects=True)
    assert "Dat kan niet in deze status." in response.get_data(as_text=True)
    session.refresh(place)
    assert place.status == "filled"
    client.post(url, data={"action": "close"})
    session.refresh(place)
    assert place.status == "closed"


def test_a_filled_place_can_no_longer_be_edited(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, status="filled")
    login_as(user)
    response = client.post(f"/werkgever/plaatsen/{place.id}/bewerken", data=place_form_data(title="Anders"))
    assert response.status_code == 302
    session.refresh(place)
    assert place.title == "Magazijnmedewerker"


def test_expire_places_expires_only_published_places_past_their_date(session, app):
    employer, _user = employer_with_user(session)
    now = utcnow()
    old = draft_place(session, employer, status="published", published_at=now - timedelta(days=61), expires_at=now - timedelta(minutes=1))
    fresh = draft_place(session, employer, status="published", published_at=now, expires_at=now + timedelta(days=60))
    paused = draft_place(session, employer, status="paused", expires_at=now - timedelta(days=1))
    with app.app_context():
        assert expire_places(session, now) == 1
        session.commit()
        assert expire_places(session, now) == 0
    for place in (old, fresh, paused):
        session.refresh(place)
    assert (old.status, fresh.status, paused.status) == ("expired", "published", "paused")


def test_an_expired_place_is_renewed_for_a_new_period(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, status="expired", published_at=utcnow() - timedelta(days=70), expires_at=utcnow() - timedelta(days=10))
    complete_sheet(session, place)
    login_as(user)
    client.post(f"/werkgever/plaatsen/{place.id}/status", data={"action": "renew"})
    session.refresh(place)
    assert place.status == "published" and place.expires_at > utcnow() + timedelta(days=59)


def test_duplicating_copies_skills_and_sheet_into_a_draft(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, status="published")
    complete_sheet(session, place)
    login_as(user)
    response = client.post(f"/werkgever/plaatsen/{place.id}/dupliceren")
    assert response.status_code == 302
    copy = _places(session, employer)[-1]
    assert copy.id != place.id and copy.status == "draft" and copy.title == place.title
    assert [s.name for s in session.exec(select(PlaceSkill).where(PlaceSkill.place_id == copy.id)).all()] == ["heftruck rijden"]
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == copy.id)).one()
    assert sheet.mentor_name == "Jan Peeters"
    assert [li.label for li in session.exec(select(CostLine).where(CostLine.sheet_id == sheet.id)).all()] == ["Veiligheidsschoenen"]


def test_place_list_shows_status_and_number_of_proposals(client, session, login_as):
    employer, user = employer_with_user(session)
    coach = make_user(session, "coach")
    first = draft_place(session, employer, title="Eerste", status="published")
    draft_place(session, employer, title="Tweede")
    for state in ("proposed", "declined", "employer_interested"):
        make_proposal(session, make_participant(session, coach), first, state=state)
    login_as(user)
    html = client.get("/werkgever/plaatsen").get_data(as_text=True)
    assert "Eerste" in html and "Tweede" in html and "Gepubliceerd" in html and "Ontwerp" in html
    assert "3 <span" in html and "(2 open)" in html


def test_place_list_counts_proposals_in_a_constant_number_of_queries(app, client, session, login_as):
    employer, user = employer_with_user(session)
    coach = make_user(session, "coach")
    participant = make_participant(session, coach)
    login_as(user)

    def count_queries():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        engine = app.extensions["db_engine"]
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/werkgever/plaatsen").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    draft_place(session, employer)
    few = count_queries()
    for _ in range(5):
        make_proposal(session, participant, draft_place(session, employer, status="published"))
    assert count_queries() == few


def test_occupation_and_skill_suggestions(client, session, login_as):
    employer, user = employer_with_user(session)
    session.add(SkillTerm(id="heftruck", label_nl="heftruck rijden", variants_nl=["vorkheftruck besturen"], label_en="forklift", group="logistiek"))
    session.commit()
    login_as(user)
    occupations = client.get("/werkgever/suggesties/beroepen?q=aannem").get_json()
    assert "aannemer bouw" in occupations
    assert client.get("/werkgever/suggesties/beroepen?q=a").get_json() == []
    assert client.get("/werkgever/suggesties/vaardigheden?q=heftr").get_json() == ["heftruck rijden", "vorkheftruck besturen"]
    assert client.get("/werkgever/suggesties/vaardigheden?q=vorkheft").get_json() == ["vorkheftruck besturen"]


def test_place_form_offers_autocomplete_lists_and_level_descriptions(client, session, login_as):
    _employer, user = employer_with_user(session)
    login_as(user)
    html = client.get("/werkgever/plaatsen/nieuw").get_data(as_text=True)
    assert 'list="occupation-list"' in html and 'list="skill-list"' in html
    assert "/static/js/suggest.js" in html and "<script>" not in html
    assert "Zelfstandig: doet het zelf, goed en op tempo" in html


def test_start_date_of_a_draft_may_stay_when_it_passed(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, start_date=date.today() - timedelta(days=3))
    login_as(user)
    data = place_form_data(start_date=place.start_date.isoformat())
    assert client.post(f"/werkgever/plaatsen/{place.id}/bewerken", data=data).status_code == 302
