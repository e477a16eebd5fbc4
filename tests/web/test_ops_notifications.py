"""Notifications: list, mark as read, e-mail preferences, messages in the recipient's language, the header link."""
from __future__ import annotations

from sqlmodel import select

from tests.conftest import login, make_employer, make_participant, make_place, make_user
from web.models import Notification, OutboxEmail
from web.services.notifications import Names, notify, register_message, render_notification


def _notify(app, session, user, kind="reminder.proposal_waiting", payload=None, endpoint="coach.dashboard"):
    if payload is None:
        place = make_place(session, make_employer(session, name="Bakkerij Boon"), title="Magazijnier")
        person = make_participant(session, make_user(session, "coach"), first_name="Dana", last_name="Peeters")
        payload = {"place_id": place.id, "participant_id": person.id, "days": 7}
    with app.app_context():
        note = notify(session=session, user_id=user.id, kind=kind, payload=payload, endpoint=endpoint)
        session.commit()
    return note


def test_list_shows_messages_and_the_header_links_to_it(app, client, session):
    coach = make_user(session, "coach")
    _notify(app, session, coach)
    login(client, coach.email)
    page = client.get("/coach/").get_data(as_text=True)
    assert 'href="/meldingen/"' in page and "1 nieuwe melding" in page
    listing = client.get("/meldingen/").get_data(as_text=True)
    assert "Het voorstel van Dana Peeters voor Magazijnier bij Bakkerij Boon wacht al 7 dagen op een antwoord." in listing


def test_list_is_rendered_in_the_readers_language(app, client, session):
    coach = make_user(session, "coach", language="en")
    _notify(app, session, coach)
    login(client, coach.email)
    assert "The proposal of Dana Peeters for Magazijnier at Bakkerij Boon has been waiting 7 days for an answer." in \
        client.get("/meldingen/").get_data(as_text=True)


def test_mark_one_read_and_open_its_link(app, client, session):
    coach = make_user(session, "coach")
    note = _notify(app, session, coach)
    login(client, coach.email)
    response = client.post(f"/meldingen/{note.id}/gelezen", data={"open": "1"})
    assert response.headers["Location"] == "/coach/"
    session.refresh(note)
    assert note.read_at is not None
    assert "nieuwe melding" not in client.get("/coach/").get_data(as_text=True)


def test_mark_all_read(app, client, session):
    coach = make_user(session, "coach")
    first, second = _notify(app, session, coach), _notify(app, session, coach)
    login(client, coach.email)
    client.post("/meldingen/alles-gelezen")
    for note in (first, second):
        session.refresh(note)
        assert note.read_at is not None


def test_cannot_mark_someone_elses_notification(app, client, session):
    owner, other = make_user(session, "coach"), make_user(session, "coach")
    note = _notify(app, session, owner)
    login(client, other.email)
    assert client.post(f"/meldingen/{note.id}/gelezen").status_code == 404
    session.refresh(note)
    assert note.read_at is None


def test_notifications_need_a_login(client):
    assert client.get("/meldingen/").headers["Location"].startswith("/auth/login")


def test_email_follows_the_users_preferences(app, client, session):
    coach = make_user(session, "coach")
    login(client, coach.email)
    assert client.post("/meldingen/voorkeuren", data={"reminders": "y", "aftercare": "y", "general": "y"}).status_code == 302
    session.refresh(coach)
    assert coach.email_preferences == {"proposals": False, "meetings": False, "messages": False, "reminders": True, "aftercare": True, "general": True}
    _notify(app, session, coach)  # a proposals notification: no e-mail
    assert session.exec(select(OutboxEmail)).all() == []
    _notify(app, session, coach, kind="reminder.phase_overdue", payload={"phase": "stage", "participant": "An", "due_on": "2026-01-01"})
    mail = session.exec(select(OutboxEmail)).one()
    assert "De fase Stage van An is over tijd sinds 1 januari 2026." in mail.body_text
    assert session.exec(select(Notification)).all().__len__() == 2  # in-app notifications always


def test_preferences_form_shows_current_choices_and_needs_csrf(csrf_app, session):
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    coach = make_user(session, "coach", email_preferences={"proposals": False})
    login(client, coach.email)
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/meldingen/voorkeuren").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert 'id="proposals" name="proposals" type="checkbox" value="y">' in page  # not checked
    assert 'checked id="reminders"' in page or 'id="reminders" name="reminders" type="checkbox" value="y" checked' in page
    assert client.post("/meldingen/voorkeuren", data={}).status_code == 400


def test_inactive_users_get_no_email(app, session):
    coach = make_user(session, "coach", is_active=False)
    _notify(app, session, coach)
    assert session.exec(select(OutboxEmail)).all() == []


def test_unknown_kinds_read_as_a_generic_message_and_areas_can_register_theirs(app):
    with app.test_request_context():
        assert render_notification("something.new", {})[0] == "Nieuwe melding"
        register_message("test.greeting", "Hallo %(name)s", "Welkom, %(name)s.", "general")
        assert render_notification("test.greeting", {"name": "Ann"}) == ("Hallo Ann", "Welkom, Ann.")
        assert render_notification("test.greeting", {}) == ("Hallo —", "Welkom, —.")


def test_notifications_of_other_areas_read_with_labels_and_names_per_reader(app, session):
    place = make_place(session, make_employer(session, name="Bakkerij Boon"), title="Magazijnier")
    person = make_participant(session, make_user(session, "coach"), first_name="Dana", last_name="Peeters")
    payload = {"place_id": place.id, "participant_id": person.id, "state": "intake_planned", "answer": "interested"}
    with app.test_request_context():
        names = Names.load(session, [payload])
        title, body = render_notification("proposal.employer_answered", payload, names=names, role="coach")
        assert (title, body) == ("Antwoord van een werkgever", "Bakkerij Boon antwoordde op het voorstel van Dana Peeters voor Magazijnier: Intake gepland.")
        assert render_notification("participant.answered", payload, names=names, role="coach")[1] == \
            "Dana Peeters antwoordde op Magazijnier bij Bakkerij Boon: heeft interesse."
        employer_view = render_notification("proposal.created", payload, names=names, role="employer")[1]
        assert f"#{person.id}" in employer_view and "Dana" not in employer_view and "Peeters" not in employer_view
