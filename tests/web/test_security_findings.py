"""Targeted security checks beside the route matrix: login timing and enumeration, session fixation, open redirects,
links and markup in user text, what employers see of a participant, the participant's export, CSV formulas,
admin role changes, mass assignment and object ids sent in forms."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web import security
from web.models import (
    AuditLog,
    MatchSuggestion,
    Notification,
    OutboxEmail,
    Participant,
    PlaceAnswer,
    Premium,
    Proposal,
    SkillTerm,
    Team,
    User,
)
from web.services.proposals import transition_proposal

# --- login and password reset ----------------------------------------------------------------------------------------


class CountingHasher:
    """Wraps the Argon2 hasher and counts verifications."""

    def __init__(self, real):
        self.real = real
        self.verifications = 0

    def verify(self, password_hash, password):
        self.verifications += 1
        return self.real.verify(password_hash, password)

    def hash(self, password):
        return self.real.hash(password)


@pytest.mark.parametrize("case", ["unknown e-mail", "wrong password", "invited, no password yet", "deactivated"])
def test_a_failed_login_costs_one_argon2_verification_whatever_the_reason(client, session, monkeypatch, case):
    """Otherwise an unknown e-mail answers measurably faster than a known one (user enumeration by timing)."""
    known = make_user(session, "coach")
    invited = make_user(session, "coach", password_hash=None)
    inactive = make_user(session, "coach", is_active=False)
    email, password = {
        "unknown e-mail": ("niemand@example.be", TEST_PASSWORD),
        "wrong password": (known.email, "wrong password!!"),
        "invited, no password yet": (invited.email, TEST_PASSWORD),
        "deactivated": (inactive.email, TEST_PASSWORD),
    }[case]
    counting = CountingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", counting)
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 200 and "E-mailadres of wachtwoord is niet juist." in response.get_data(as_text=True)
    assert counting.verifications == 1


def test_the_reset_form_answers_the_same_for_known_and_unknown_e_mails(client, session):
    known = make_user(session, "employer")
    answers = []
    for email in (known.email, "niemand@example.be"):
        response = client.post("/auth/wachtwoord-vergeten", data={"email": email}, follow_redirects=True)
        answers.append((response.status_code, response.request.path, response.get_data(as_text=True).replace(email, "")))
    assert answers[0] == answers[1]
    assert [m.to_address for m in session.exec(select(OutboxEmail)).all()] == [known.email]


def test_login_starts_a_fresh_session(client, session):
    """Nothing planted in the session before login (session fixation) survives it."""
    user = make_user(session, "coach")
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
        planted["_user_id"] = "999999"
    client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    with client.session_transaction() as fresh:
        assert "planted" not in fresh
        assert fresh["_user_id"] == user.get_id()


# --- open redirects ---------------------------------------------------------------------------------------------------

OFF_SITE = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "/%0d%0aX: y",
            "https:/evil.example", " //evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_login_and_notification_links_stay_on_site(client, session, target):
    user = make_user(session, "coach")
    note = Notification(user_id=user.id, kind="participant.answered", payload={}, link=target)
    session.add(note)
    session.commit()
    for response in (client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD, "next": target}),
                     client.post("/auth/taal", data={"lang": "en", "next": target}),
                     client.post(f"/meldingen/{note.id}/gelezen", data={"open": "1"})):
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location
        assert not parts.scheme and not parts.netloc


# --- links and markup in user text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("link", ["javascript://example.com/%0aalert(document.cookie)", "data://example.com/text/html,<b>x</b>"])
def test_admin_cannot_store_a_script_link_for_a_premium_or_skill(client, session, login_as, link):
    """Premium sources are shown to employers as <a href>: only http(s) links (WTForms' URL() checks the scheme)."""
    login_as(make_user(session, "admin"))
    response = client.post("/admin/premies/nieuw", data={"code": "premie-x", "name_nl": "Premie X", "name_en": "Premium X", "source_url": link})
    assert response.status_code == 400
    assert session.exec(select(Premium)).all() == []
    response = client.post("/admin/vaardigheden/nieuw", data={"id": "skill-x", "label_nl": "x", "label_en": "x", "group": "g", "esco_uri": link})
    assert response.status_code == 400
    assert session.exec(select(SkillTerm)).all() == []


def test_a_web_link_for_a_premium_is_still_accepted(client, session, login_as):
    login_as(make_user(session, "admin"))
    response = client.post("/admin/premies/nieuw", data={"code": "premie-y", "name_nl": "Premie Y", "name_en": "Premium Y",
                                                         "source_url": "HTTPS://www.vlaanderen.be/premie"})
    assert response.status_code == 302
    assert session.exec(select(Premium)).one().source_url == "HTTPS://www.vlaanderen.be/premie"


def test_markup_in_stored_text_is_escaped_on_every_page_that_shows_it(client, session, login_as):
    coach = make_user(session, "coach")
    me = make_user(session, "participant")
    employer = make_employer(session)
    place = make_place(session, employer, title="<script>alert(1)</script>", tasks="<img src=x onerror=alert(2)>")
    participant = make_participant(session, coach, user=me, first_name="<b>Bo</b>")
    make_proposal(session, participant, place)
    session.add(MatchSuggestion(participant_id=participant.id, place_id=place.id, score=70, explanation={}, engine_version="t",
                                released_to_participant=True))
    session.add(Notification(user_id=coach.id, kind="participant.answered", payload={"place_title": "<script>alert(3)</script>"}))
    session.commit()
    pages = [(coach, [f"/coach/stageplaatsen/{place.id}", f"/coach/deelnemers/{participant.id}", "/meldingen/", "/coach/deelnemers"]),
             (me, [f"/deelnemer/vacatures/{place.id}", "/deelnemer/vacatures", "/deelnemer/traject", "/deelnemer/gegevens/download.html"])]
    for user, urls in pages:
        client.post("/auth/logout")
        login_as(user)
        for url in urls:
            body = client.get(url).get_data(as_text=True)
            assert "<script>alert" not in body and "<img src=x" not in body and "<b>Bo</b>" not in body, url


# --- what an employer sees of a participant -------------------------------------------------------------------------------


@pytest.fixture
def candidate(session):
    coach = make_user(session, "coach")
    employer_user = make_user(session, "employer")
    employer = make_employer(session, employer_user)
    place = make_place(session, employer)
    participant = make_participant(
        session, coach, first_name="Zorro", last_name="Geheimnaam", email="zorro@example.be", phone="0470 99 88 77",
        limitations="GEHEIME-BEPERKING", support_needs="GEHEIME-ONDERSTEUNING", goals="GEHEIM-DOEL",
    )
    proposal = make_proposal(session, participant, place)
    return {"coach": coach, "employer_user": employer_user, "participant": participant, "proposal": proposal}


CONTACT = ("Geheimnaam", "zorro@example.be", "0470 99 88 77")
NEVER = ("GEHEIME-BEPERKING", "GEHEIME-ONDERSTEUNING", "GEHEIM-DOEL")


def _employer_pages(client, proposal) -> str:
    return "".join(client.get(url).get_data(as_text=True) for url in (f"/werkgever/voorstellen/{proposal.id}", "/werkgever/voorstellen",
                                                                       f"/werkgever/plaatsen/{proposal.place_id}", "/werkgever/"))


def test_employer_sees_no_contact_and_never_limitations_before_consent(client, session, login_as, candidate):
    login_as(candidate["employer_user"])
    body = _employer_pages(client, candidate["proposal"])
    assert not any(text in body for text in CONTACT + NEVER + ("Zorro",))


def test_employer_sees_contact_after_consent_but_never_limitations(client, session, login_as, candidate):
    participant = session.get(Participant, candidate["participant"].id)
    participant.consent_level = "skills_name"
    session.add(participant)
    transition_proposal(session=session, proposal=candidate["proposal"], to_state="participant_agreed", actor=candidate["coach"], actor_role="participant")
    session.commit()
    login_as(candidate["employer_user"])
    body = _employer_pages(client, candidate["proposal"])
    assert all(text in body for text in CONTACT)
    assert not any(text in body for text in NEVER)


@pytest.mark.parametrize("end", ["declined", "withdrawn"])
def test_employer_no_longer_sees_contact_once_the_proposal_is_declined_or_withdrawn(client, session, login_as, candidate, end):
    proposal = candidate["proposal"]
    transition_proposal(session=session, proposal=proposal, to_state="participant_agreed", actor=candidate["coach"], actor_role="participant")
    transition_proposal(session=session, proposal=proposal, to_state=end, actor=candidate["coach"], actor_role="coach" if end == "withdrawn" else "participant",
                        data={"reason": "other"})
    session.commit()
    login_as(candidate["employer_user"])
    body = _employer_pages(client, proposal)
    assert not any(text in body for text in CONTACT + NEVER)


# --- the participant's own export ---------------------------------------------------------------------------------------


def test_the_export_holds_only_the_participants_own_data(client, session, login_as):
    coach = make_user(session, "coach", full_name="Coach Carla")
    me_user, other_user = make_user(session, "participant"), make_user(session, "participant", email="buur.account@example.be")
    employer_user = make_user(session, "employer", full_name="Werkgever Wim")
    place = make_place(session, make_employer(session, employer_user))
    me = make_participant(session, coach, user=me_user, first_name="Ikke")
    other = make_participant(session, coach, user=other_user, first_name="BUURVROUW", last_name="ANDERNAAM", email="buur@example.be",
                             limitations="ANDERMANS-BEPERKING")
    mine, theirs = make_proposal(session, me, place), make_proposal(session, other, place)
    transition_proposal(session=session, proposal=theirs, to_state="declined", actor=employer_user, actor_role="employer", note="ANDERMANS-NOTITIE",
                        data={"reason": "other"})
    session.add(MatchSuggestion(participant_id=other.id, place_id=place.id, score=55, explanation={"x": "ANDERMANS-UITLEG"}, engine_version="t"))
    session.add(Notification(user_id=other_user.id, kind="participant.answered", payload={"place_title": "ANDERMANS-MELDING"}))
    session.commit()
    login_as(me_user)
    for url in ("/deelnemer/gegevens/download.json", "/deelnemer/gegevens/download.html", "/deelnemer/gegevens"):
        body = client.get(url).get_data(as_text=True)
        assert "Ikke" in body or url == "/deelnemer/gegevens"
        for text in ("BUURVROUW", "ANDERNAAM", "buur@example.be", "buur.account@example.be", "ANDERMANS-", employer_user.email):
            assert text not in body, (url, text)
    data = json.loads(client.get("/deelnemer/gegevens/download.json").get_data(as_text=True))
    assert [p["id"] for p in data["proposals"]] == [mine.id]


# --- CSV downloads ----------------------------------------------------------------------------------------------------------


def test_csv_downloads_neutralise_formulas_in_every_text_cell(client, session, login_as):
    admin = make_user(session, "admin")
    plotter = make_user(session, "coach", email="=cmd@example.be")
    for object_id in ("=HYPERLINK(\"http://evil\")", "+1+2", "-1+2", "@SUM(1)", "\t=1+2", "\r=1+2", "gewoon"):
        session.add(AuditLog(actor_id=plotter.id, action="test.formula", object_type="X", object_id=object_id))
    employer = make_employer(session, name="=HYPERLINK(\"http://evil\",\"klik\")")
    make_place(session, employer)
    session.commit()
    login_as(admin)
    audit = client.get("/admin/audit.csv?action=test.formula").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(audit, newline="")))
    assert sorted(r["object_id"] for r in rows) == sorted(
        ["'=HYPERLINK(\"http://evil\")", "'+1+2", "'-1+2", "'@SUM(1)", "'\t=1+2", "'\r=1+2", "gewoon"])
    assert {r["actor_email"] for r in rows} == {"'=cmd@example.be"}
    idle = client.get("/admin/monitoring/idle_employers.csv").get_data(as_text=True).lstrip("\ufeff")
    assert [r["employer"] for r in csv.DictReader(io.StringIO(idle, newline=""))] == ["'=HYPERLINK(\"http://evil\",\"klik\")"]


# --- admin role changes ---------------------------------------------------------------------------------------------------


def test_an_admin_cannot_demote_or_deactivate_themselves(client, session, login_as):
    admin = make_user(session, "admin")
    login_as(admin)
    assert client.post(f"/admin/gebruikers/{admin.id}", data={"role": "coach", "team_id": ""}).status_code == 400
    client.post(f"/admin/gebruikers/{admin.id}/actief", data={"active": "0"})
    session.refresh(admin)
    assert admin.role == "admin" and admin.is_active


@pytest.mark.parametrize("role", ["employer", "participant"])
def test_an_admin_cannot_turn_an_employer_or_participant_into_staff(client, session, login_as, role):
    login_as(make_user(session, "admin"))
    target = make_user(session, role)
    client.post(f"/admin/gebruikers/{target.id}", data={"role": "admin", "team_id": ""})
    client.post("/admin/gebruikers/uitnodigen", data={"email": "nieuw@example.be", "full_name": "Nieuw", "role": "employer", "team_id": ""})
    session.refresh(target)
    assert target.role == role
    assert session.exec(select(User).where(User.email == "nieuw@example.be")).first() is None


# --- mass assignment and ids in forms ----------------------------------------------------------------------------------------


def test_extra_form_fields_cannot_set_owner_role_or_state(client, session, login_as):
    coach, other_coach = make_user(session, "coach"), make_user(session, "coach")
    employer_user, other_employer = make_user(session, "employer"), make_employer(session)
    employer = make_employer(session, employer_user)
    place = make_place(session, employer, status="draft")
    participant = make_participant(session, coach)
    extra = {"coach_id": str(other_coach.id), "employer_id": str(other_employer.id), "role": "admin", "state": "hired", "status": "published",
             "user_id": str(other_coach.id), "consent_level": "skills_name", "anonymised_at": "2020-01-01", "created_by_id": str(other_coach.id)}
    login_as(coach)
    client.post(f"/coach/deelnemers/{participant.id}/profiel", data={
        "first_name": "A", "last_name": "B", "postal_code": "9000", "max_distance_km": "25", "hours_per_week": "30", **extra})
    client.post("/auth/logout")
    login_as(employer_user)
    client.post(f"/werkgever/plaatsen/{place.id}/bewerken", data={"title": "Nieuw", **extra})
    client.post("/werkgever/organisatie", data={"name": "Nieuwe naam", "sector": "logistiek", "postal_code": "9000", **extra})
    session.refresh(participant)
    session.refresh(place)
    session.refresh(employer_user)
    assert (participant.coach_id, participant.user_id, participant.consent_level, participant.anonymised_at) == (coach.id, None, "skills", None)
    assert (place.employer_id, place.status) == (employer.id, "draft")
    assert employer_user.role == "employer"


@pytest.fixture
def two_teams(session):
    team_a, team_b = Team(name="A"), Team(name="B")
    session.add_all([team_a, team_b])
    session.commit()
    coach_a, mate_a = make_user(session, "coach", team_id=team_a.id), make_user(session, "coach", team_id=team_a.id)
    coach_b = make_user(session, "coach", team_id=team_b.id)
    employer = make_employer(session)
    return {"coach_a": coach_a, "mate_a": mate_a, "coach_b": coach_b, "participant_b": make_participant(session, coach_b),
            "participant_a": make_participant(session, coach_a), "published": make_place(session, employer),
            "draft": make_place(session, employer, status="draft", title="Ontwerp")}


def test_a_coach_cannot_propose_another_teams_participant_through_the_assignment_form(client, session, login_as, two_teams):
    login_as(two_teams["coach_a"])
    response = client.post("/coach/koppelingen/aanvaarden", data={"participant_id": str(two_teams["participant_b"].id),
                                                                   "place_id": str(two_teams["published"].id)})
    assert response.status_code == 404
    assert session.exec(select(Proposal)).all() == []


def test_a_coach_cannot_propose_a_place_that_is_not_published(client, session, login_as, two_teams):
    login_as(two_teams["coach_a"])
    response = client.post(f"/coach/deelnemers/{two_teams['participant_a'].id}/voorstel", data={"place_id": str(two_teams["draft"].id)})
    assert response.status_code == 404
    assert session.exec(select(Proposal)).all() == []


def test_a_coach_cannot_hand_a_participant_to_a_coach_of_another_team(client, session, login_as, two_teams):
    login_as(two_teams["coach_a"])
    participant = two_teams["participant_a"]
    client.post(f"/coach/deelnemers/{participant.id}/overdragen", data={"coach_id": str(two_teams["coach_b"].id)})
    session.refresh(participant)
    assert participant.coach_id == two_teams["coach_a"].id
    client.post(f"/coach/deelnemers/{participant.id}/overdragen", data={"coach_id": str(two_teams["mate_a"].id)})
    session.refresh(participant)
    assert participant.coach_id == two_teams["mate_a"].id  # within the team it works


def test_a_participant_cannot_answer_for_a_place_only_suggested_to_someone_else(client, session, login_as, two_teams):
    me = make_user(session, "participant")
    make_participant(session, two_teams["coach_a"], user=me)
    other = two_teams["participant_b"]
    session.add(MatchSuggestion(participant_id=other.id, place_id=two_teams["published"].id, score=90, engine_version="t", released_to_participant=True))
    session.commit()
    login_as(me)
    response = client.post(f"/deelnemer/vacatures/{two_teams['published'].id}/antwoord", data={"yes": "1"})
    assert response.status_code == 404
    assert session.exec(select(PlaceAnswer)).all() == []


def test_the_caseload_import_does_not_reveal_participants_of_another_team(client, session, login_as, two_teams):
    """Whether an e-mail belongs to someone in another team's caseload is not the importing coach's business."""
    other = session.get(Participant, two_teams["participant_b"].id)
    other.email = "iemand.anders@example.be"
    own = session.get(Participant, two_teams["participant_a"].id)
    own.email = "al.bij.mij@example.be"
    session.add_all([other, own])
    session.commit()
    login_as(two_teams["coach_a"])

    def upload(email):
        content = f"first_name,last_name,email,postal_code,hours_per_week\nNieuw,Persoon,{email},9000,30\n".encode()
        return client.post("/coach/import", data={"file": (io.BytesIO(content), "caseload.csv")}, content_type="multipart/form-data")

    assert "bestaat al" in upload("al.bij.mij@example.be").get_data(as_text=True)  # a duplicate in one's own caseload is still caught
    response = upload("iemand.anders@example.be")
    assert "bestaat al" not in response.get_data(as_text=True) and response.status_code == 302


def test_coaches_cannot_open_an_employers_draft_place_or_its_sheet(client, session, login_as, two_teams):
    login_as(two_teams["coach_a"])
    draft = two_teams["draft"]
    for url in (f"/coach/stageplaatsen/{draft.id}", f"/coach/stageplaatsen/{draft.id}/fiche.pdf"):
        assert client.get(url).status_code == 404, url
