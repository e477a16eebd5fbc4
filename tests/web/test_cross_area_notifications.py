"""Notifications across areas: the employer hears of new proposals and of the participant's yes, without the
participant's contact data; every kind the code sends has a registered message in Dutch and English."""
from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import EmployerMember, Notification, OutboxEmail
from web.services.notifications import GENERIC, MESSAGES, Names, render_notification

WEB = Path(__file__).resolve().parents[2] / "web"


def _employer_with_two_members(session):
    owner = make_user(session, "employer")
    employer = make_employer(session, user=owner, name="Logistiek Noord")
    colleague = make_user(session, "employer")
    session.add(EmployerMember(employer_id=employer.id, user_id=colleague.id))
    session.commit()
    return employer, owner, colleague


def _notes(session, user, kind):
    session.expire_all()
    return session.exec(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)).all()


def test_coach_proposal_notifies_every_employer_member_without_contact_data(session, login_as):
    employer, owner, colleague = _employer_with_two_members(session)
    place = make_place(session, employer, title="Magazijnmedewerker")
    coach = make_user(session, "coach")
    person = make_participant(session, coach, first_name="Dana", last_name="Peeters", email="dana@example.be", phone="0470 12 34 56")
    response = login_as(coach).post(f"/coach/deelnemers/{person.id}/voorstel/{place.id}", data={"motivation": "Sterk in orderpicking."})
    assert response.status_code == 302
    for member in (owner, colleague):
        [note] = _notes(session, member, "proposal.created")
        assert note.payload["place_id"] == place.id
        assert note.endpoint == "employer.proposal_detail" and note.endpoint_args == {"proposal_id": note.payload["proposal_id"]}
        names = Names.load(session, [note.payload])
        rendered = render_notification(note.kind, note.payload, names=names, role="employer")
        assert "Magazijnmedewerker" in rendered[1]
        text = " ".join(str(v) for v in note.payload.values()) + " ".join(rendered)
        assert "Dana" not in text and "Peeters" not in text and "dana@example.be" not in text and "0470" not in text
    mails = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == owner.email)).all()
    assert mails and not any("dana@example.be" in m.body_text or "0470" in m.body_text or "Peeters" in m.body_text for m in mails)
    assert not _notes(session, coach, "proposal.created")


def test_participant_yes_notifies_the_employer_members(session, login_as):
    employer, owner, colleague = _employer_with_two_members(session)
    place = make_place(session, employer)
    coach = make_user(session, "coach")
    user = make_user(session, "participant")
    person = make_participant(session, coach, user=user)
    make_proposal(session, person, place)
    response = login_as(user).post(f"/deelnemer/vacatures/{place.id}/antwoord", data={"yes": "1"})
    assert response.status_code == 302
    for member in (owner, colleague):
        [note] = _notes(session, member, "proposal.participant_agreed")
        assert note.payload["place_id"] == place.id and "phone" not in note.payload and "email" not in note.payload


def test_participant_no_does_not_notify_the_employer(session, login_as):
    employer, owner, _colleague = _employer_with_two_members(session)
    place = make_place(session, employer)
    user = make_user(session, "participant")
    person = make_participant(session, make_user(session, "coach"), user=user)
    make_proposal(session, person, place)
    login_as(user).post(f"/deelnemer/vacatures/{place.id}/antwoord", data={"no": "1", "reason": "distance"})
    assert not _notes(session, owner, "proposal.participant_agreed")


def test_inactive_employer_members_are_not_notified(app, session):
    from web.services.proposals import create_proposal

    employer, owner, colleague = _employer_with_two_members(session)
    colleague.is_active = False
    session.add(colleague)
    place = make_place(session, employer)
    coach = make_user(session, "coach")
    person = make_participant(session, coach)
    with app.app_context():
        create_proposal(session=session, participant_id=person.id, place_id=place.id, coach=coach)
    assert len(_notes(session, owner, "proposal.created")) == 1
    assert not _notes(session, colleague, "proposal.created")


# --- every kind sent anywhere has a message in both languages -----------------------------------


def _string_constants(node: ast.AST) -> set[str]:
    """The strings an expression can evaluate to: a literal, either branch of ``a if cond else b``, either side of ``or``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _string_constants(node.body) | _string_constants(node.orelse)
    if isinstance(node, ast.BoolOp):
        return set().union(*(_string_constants(v) for v in node.values))
    return set()


def sent_kinds() -> dict[str, str]:
    """Every literal notification kind in web/: ``kind=`` of notify(...)/Notification(...) calls, also through a local variable."""
    found: dict[str, str] = {}
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)] + [tree]:
            assigned: dict[str, set[str]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, set()).update(_string_constants(node.value))
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in ("notify", "Notification", "notify_employer"):
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "kind":
                        continue
                    values = _string_constants(keyword.value)
                    if isinstance(keyword.value, ast.Name):
                        values |= assigned.get(keyword.value.id, set())
                    for value in values:
                        found.setdefault(value, f"{path.relative_to(WEB.parent)}:{node.lineno}")
    return found


def test_the_code_scan_finds_the_known_kinds():
    kinds = sent_kinds()
    for kind in ("proposal.created", "proposal.participant_agreed", "participant.answered", "reminder.phase_due", "reminder.phase_overdue",
                 "proposal.employer_answered", "participant.erasure_requested"):
        assert kind in kinds, kind


def test_every_sent_kind_has_a_registered_message_in_dutch_and_english(app):
    kinds = sent_kinds()
    unregistered = {kind: where for kind, where in kinds.items() if kind not in MESSAGES}
    assert not unregistered, f"notify(kind=...) without register_message: {unregistered}"
    payload = {"place_title": "Magazijnier", "place": "Magazijnier", "participant": "An", "phase": "stage", "state": "hired", "answer": "interested",
               "due_on": "2026-01-01", "days": 3, "months": 1, "employer": "Logistiek Noord"}
    with app.test_request_context():
        for kind in kinds:
            with force_locale("nl"):
                dutch = render_notification(kind, payload)
            with force_locale("en"):
                english = render_notification(kind, payload)
            assert dutch != (str(GENERIC.title), str(GENERIC.body))
            assert english[0] != dutch[0] and english[1] != dutch[1], f"{kind} has no English translation"
            assert "%(" not in dutch[1] + english[1]
