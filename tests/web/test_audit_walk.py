"""The audit walk: every service function that changes state writes an audit row (or says here why it need not).

The walk reads the source of ``web/services/*.py``: a function *changes state* when it adds, deletes or bulk-updates
rows through the session, or calls a service function that does; it *audits* when it calls ``record_audit`` or a
function that does. A public function that changes state and audits nothing fails the test, unless it is listed in
``NOT_AUDITED`` with the reason. A new service that forgets its audit row therefore fails here.
"""
from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "web" / "services"
#: whole modules that are not user actions: reference/demo data loading, the job runner's own bookkeeping
MODULES_NOT_AUDITED = {
    "demo": "builds the demo data set through the other services (which audit)",
    "jobs": "the scheduler's own bookkeeping (job_run rows are the record)",
    "audit": "writes the audit log itself",
}
#: (module, function) -> why no audit row is needed
NOT_AUDITED = {
    ("notifications", "notify"): "a message to a user, caused by an audited action",
    ("notifications", "mark_read"): "reading one's own notifications changes nothing for anybody else",
    ("notifications", "mark_all_read"): "reading one's own notifications changes nothing for anybody else",
    ("notifications", "set_email_preferences"): "one's own e-mail preferences",
    ("accounts", "authenticate"): "login_attempt rows are the record of every login",
    ("accounts", "request_password_reset"): "the one-time token row is the record; the reset itself is audited",
    ("accounts", "set_language"): "one's own interface language",
    ("cost_sheets", "sheet_document"): "reading a sheet creates the empty sheet a place always has",
    ("employers", "record_profile_view"): "profile_view rows are the record, shown to the participant",
    ("matching", "refresh_all_matches"): "stored engine scores, recomputed by a job; no person's decision",
    ("matching", "refresh_matches_for_participant"): "stored engine scores; no person's decision",
    ("matching", "refresh_matches_for_participants"): "stored engine scores; no person's decision",
    ("matching", "refresh_matches_for_place"): "stored engine scores; no person's decision",
    ("anonymisation", "anonymise_participant"): "its callers audit (confirm_erasure, the retention purge)",
    ("accounts", "tell_existing_account_about_invitation"): "an e-mail only, no account changes; the outbox row is its record",
    ("conversation", "mark_conversation_read"): "reading the other side's messages changes nothing for anybody else",
    ("meetings", "remind_tomorrow"): "reminder_sent rows are the record of each reminder",
    ("proposals", "notify_employer"): "notifications about an audited transition",
    ("reminders", "claim_reminder"): "reminder_sent rows are the record of each reminder",
    ("reminders", "remind_nazorg_checkins"): "reminder_sent rows are the record of each reminder",
    ("reminders", "remind_phase_deadlines"): "reminder_sent rows are the record of each reminder",
    ("reminders", "remind_waiting_proposals"): "reminder_sent rows are the record of each reminder",
    ("settings", "set_setting"): "the admin's save_settings writes settings.changed with before and after",
    ("trajectories", "on_proposal_transition"): "follows an audited proposal transition",
    ("places", "expire_places"): "the scheduled expiry of places, by date",
    ("cost_sheets", "get_or_create_sheet"): "creates the empty sheet a place always has",
    ("cost_sheets", "copy_sheet"): "part of duplicate_place, which audits",
    ("mail", "queue_email"): "the outbox row is the record of the e-mail",
    ("mail", "deliver_outbox"): "delivery bookkeeping on outbox rows",
    ("vetting", "send_verification_email"): "the outbox row is the record; the confirmation itself is audited",
    ("api_tokens", "count_request"): "counts a token's requests for its rate limit",
    ("calendar_feeds", "user_for_feed"): "stamps the feed's last use",
    ("webhooks", "enqueue"): "webhook_delivery rows are the record, shown in the endpoint's delivery log",
    ("webhooks", "enqueue_proposal_event"): "webhook_delivery rows are the record of an audited proposal step",
    ("webhooks", "enqueue_meeting_event"): "webhook_delivery rows are the record of an audited meeting step",
    ("webhooks", "enqueue_expiring_places"): "webhook_delivery rows are the record, by date",
    ("webhooks", "deliver_due_webhooks"): "delivery bookkeeping on webhook_delivery rows (the delivery log)",
    ("webhooks", "endpoint_secret"): "stores the same secret sealed again under the current SECRET_KEY; nothing anyone sees changes",
}


def _module_functions() -> dict[tuple[str, str], ast.FunctionDef]:
    functions = {}
    for path in sorted(SERVICES.glob("*.py")):
        if path.stem in MODULES_NOT_AUDITED or path.stem == "__init__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                functions[(path.stem, node.name)] = node
    return functions


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            target = call.func
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, ast.Attribute):
                names.add(target.attr)
    return names


def _writes_rows(node: ast.AST) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in ("add", "add_all", "delete", "merge"):
            owner = call.func.value
            if isinstance(owner, ast.Name) and owner.id in ("session", "db"):
                return True
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in ("delete", "update", "insert"):
            return True
    return False


def _closure(functions, direct: dict, calls: dict) -> dict:
    """Propagate a property through calls to other service functions (by name) until nothing changes."""
    by_name: dict[str, list] = {}
    for key in functions:
        by_name.setdefault(key[1], []).append(key)
    result = dict(direct)
    changed = True
    while changed:
        changed = False
        for key in functions:
            if result[key]:
                continue
            if any(result.get(other) for name in calls[key] for other in by_name.get(name, ())):
                result[key] = True
                changed = True
    return result


def walk():
    functions = _module_functions()
    calls = {key: _called_names(node) for key, node in functions.items()}
    changes = _closure(functions, {key: _writes_rows(node) for key, node in functions.items()}, calls)
    audits = _closure(functions, {key: "record_audit" in calls[key] for key in functions}, calls)
    return functions, changes, audits


def test_every_state_changing_service_writes_an_audit_row():
    functions, changes, audits = walk()
    silent = sorted(f"{m}.{f}" for (m, f) in functions if not f.startswith("_") and changes[(m, f)] and not audits[(m, f)]
                    and (m, f) not in NOT_AUDITED)
    assert not silent, "these services change state without an audit row (add record_audit, or say why in NOT_AUDITED): " + ", ".join(silent)


def test_the_walk_sees_the_services_that_matter():
    functions, changes, audits = walk()
    for key in (("proposals", "transition_proposal"), ("proposals", "create_proposal"), ("evaluations", "sign_off"),
                ("privacy", "set_consent_level"), ("participant_portal", "answer_vacancy")):
        assert key in functions and changes[key] and audits[key], key


def test_the_exemptions_still_exist():
    functions, changes, _audits = walk()
    stale = [key for key in NOT_AUDITED if key not in functions]
    assert not stale, f"remove these from NOT_AUDITED: {stale}"


def test_a_participants_answer_and_the_proposal_step_it_makes_are_audited(session, login_as):
    from sqlmodel import select

    from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
    from web.models import AuditLog

    coach = make_user(session, "coach")
    account = make_user(session, "participant")
    person = make_participant(session, coach, user=account)
    place = make_place(session, make_employer(session))
    proposal = make_proposal(session, person, place)
    assert login_as(account).post(f"/deelnemer/vacatures/{place.id}/antwoord", data={"yes": "1"}).status_code == 302
    rows = {(r.action, r.object_type, r.object_id, r.actor_id): r.detail for r in session.exec(select(AuditLog)).all()}
    assert rows[("participant.answered", "Participant", str(person.id), account.id)]["answer"] == "interested"
    step = rows[("proposal.transition", "Proposal", str(proposal.id), account.id)]
    assert step["from"] == "proposed" and step["to"] == "participant_agreed"
