"""Administration: accounts (invite, deactivate, change role), reference data, settings and the audit log.

The audit log is append-only: the ORM refuses to update or delete its rows (``_refuse_audit_changes``).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import String, case, cast, event, false, or_
from sqlalchemy import text as sql_text
from sqlmodel import Session, func, select

from web.models import (
    AuditLog,
    Employer,
    EmployerMember,
    Premium,
    Proposal,
    SkillTerm,
    StagePlace,
    Team,
    User,
    utcnow,
)
from web.security import revoke_sessions
from web.services.accounts import AccountError, invite_user
from web.services.audit import record_audit
from web.services.settings import get_setting, set_setting

ADMIN_ROLES = ("admin", "coach")  # roles an admin may give and take; employers and participants are tied to records
AUDIT_PAGE_SIZE = 50
BRUSSELS = ZoneInfo("Europe/Brussels")


class AdminError(Exception):
    """A refusal with a message for the admin."""


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, _flush_context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("the audit log is append-only")


# --- users -------------------------------------------------------------------------------------------


def list_users(*, session: Session, role: str | None = None, query: str | None = None) -> list[User]:
    """Accounts, filtered by role and by a piece of name or e-mail."""
    stmt = select(User).order_by(User.role, User.full_name)
    if role:
        stmt = stmt.where(User.role == role)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like), func.lower(User.email).like(like)))
    return list(session.exec(stmt.limit(500)).all())


USER_SORTS = ("naam", "email", "rol", "organisatie", "status", "aangemaakt", "laatst")


def users_page(
    *, session: Session, wanted, role: str | None = None, query: str | None = None, organisation: str | None = None, active: bool | None = None,
):
    """One page of accounts with their organisation (employer or team): by role, organisation, active or not, name or e-mail."""
    from web.paging import paginate

    org = func.coalesce(Employer.name, Team.name)
    stmt = (
        select(User, org.label("organisation"))
        .outerjoin(EmployerMember, EmployerMember.user_id == User.id)
        .outerjoin(Employer, Employer.id == EmployerMember.employer_id)
        .outerjoin(Team, Team.id == User.team_id)
    )
    if role:
        stmt = stmt.where(User.role == role)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like), func.lower(User.email).like(like)))
    if organisation:
        stmt = stmt.where(func.lower(org).like(f"%{organisation.strip().lower()}%"))
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    order = {
        "naam": [func.lower(User.full_name)], "email": [User.email], "rol": [User.role, func.lower(User.full_name)],
        "organisatie": [func.lower(func.coalesce(org, "")), func.lower(User.full_name)], "status": [User.is_active, func.lower(User.full_name)],
        "aangemaakt": [User.created_at], "laatst": [func.coalesce(User.last_login_at, User.created_at)],
    }
    return paginate(session, stmt, wanted, order, tiebreak=[User.id])


ORGANISATION_SORTS = ("naam", "sector", "postcode", "status", "plaatsen", "open", "leden", "voorstellen")
#: the review statuses in the order an admin works through them: waiting ones first
REVIEW_ORDER = {"pending": 0, "more_info": 1, "approved": 2, "refused": 3}


def organisations_page(*, session: Session, wanted, query: str | None = None, sector: str | None = None, status: str | None = None):
    """One page of employers with their review status and number of places, published places, members and proposals."""
    from web.paging import paginate

    places = (
        select(StagePlace.employer_id.label("employer_id"), func.count().label("n"),
               func.sum(case((StagePlace.status == "published", 1), else_=0)).label("open"))
        .group_by(StagePlace.employer_id).subquery()
    )
    members = select(EmployerMember.employer_id.label("employer_id"), func.count().label("n")).group_by(EmployerMember.employer_id).subquery()
    proposals = (
        select(StagePlace.employer_id.label("employer_id"), func.count().label("n"))
        .join(Proposal, Proposal.place_id == StagePlace.id).group_by(StagePlace.employer_id).subquery()
    )
    n_places, n_open, n_members = func.coalesce(places.c.n, 0), func.coalesce(places.c.open, 0), func.coalesce(members.c.n, 0)
    n_proposals = func.coalesce(proposals.c.n, 0)
    stmt = (
        select(Employer, n_places.label("places"), n_open.label("open_places"), n_members.label("members"), n_proposals.label("proposals"))
        .outerjoin(places, places.c.employer_id == Employer.id)
        .outerjoin(members, members.c.employer_id == Employer.id)
        .outerjoin(proposals, proposals.c.employer_id == Employer.id)
    )
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Employer.name).like(like), Employer.kbo_number.like(like), func.lower(func.coalesce(Employer.city, "")).like(like)))
    if sector:
        stmt = stmt.where(Employer.sector == sector)
    if status:
        stmt = stmt.where(Employer.review_status == status)
    review_order = case(*((Employer.review_status == code, rank) for code, rank in REVIEW_ORDER.items()), else_=9)
    order = {
        "naam": [func.lower(Employer.name)], "sector": [Employer.sector, func.lower(Employer.name)], "postcode": [Employer.postal_code],
        "status": [review_order, func.lower(Employer.name)], "plaatsen": [n_places], "open": [n_open], "leden": [n_members],
        "voorstellen": [n_proposals],
    }
    return paginate(session, stmt, wanted, order, tiebreak=[Employer.id])


def list_teams(*, session: Session) -> list[Team]:
    return list(session.exec(select(Team).order_by(Team.name)).all())


def invite_staff(*, session: Session, admin: User, email: str, full_name: str, role: str, language: str, team_id: int | None,
                 is_team_lead: bool) -> User:
    """Invite a coach or admin; they choose a password through a one-time link."""
    if role not in ADMIN_ROLES:
        raise AdminError(_("Je kan hier alleen coaches en beheerders uitnodigen."))
    if team_id is not None and role == "coach" and session.get(Team, team_id) is None:
        raise AdminError(_("Dit team bestaat niet."))
    try:
        user = invite_user(session=session, inviter=admin, email=email, full_name=full_name, role=role, language=language)
    except AccountError as exc:
        raise AdminError(str(exc)) from exc
    user.team_id = team_id if role == "coach" else None
    user.is_team_lead = bool(is_team_lead) and role == "coach"
    session.add(user)
    session.flush()
    return user


def set_user_active(*, session: Session, admin: User, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; admins cannot lock themselves out."""
    if user.id == admin.id:
        raise AdminError(_("Je kan je eigen account niet deactiveren."))
    if user.is_active == active:
        return
    user.is_active = active
    # an admin's deactivation is a state only an admin lifts: employer owners cannot re-invite the account
    user.deactivated_by_admin_at = None if active else utcnow()
    session.add(user)
    if not active:
        revoke_sessions(session=session, user=user)
    record_audit(session=session, actor_id=admin.id, action="user.activated" if active else "user.deactivated", obj=user)


def change_user_role(*, session: Session, admin: User, user: User, role: str, team_id: int | None, is_team_lead: bool) -> None:
    """Change a staff member's role, team and team-lead flag."""
    if role not in ADMIN_ROLES or user.role not in ADMIN_ROLES:
        raise AdminError(_("Alleen de rollen coach en beheerder kunnen hier gewijzigd worden."))
    if user.id == admin.id and role != "admin":
        raise AdminError(_("Je kan je eigen beheerdersrol niet afnemen."))
    if team_id is not None and session.get(Team, team_id) is None:
        raise AdminError(_("Dit team bestaat niet."))
    before = {"role": user.role, "team_id": user.team_id, "is_team_lead": user.is_team_lead}
    user.role = role
    user.team_id = team_id if role == "coach" else None
    user.is_team_lead = bool(is_team_lead) and role == "coach"
    session.add(user)
    after = {"role": user.role, "team_id": user.team_id, "is_team_lead": user.is_team_lead}
    record_audit(session=session, actor_id=admin.id, action="user.role_changed", obj=user, detail={"before": before, "after": after})


# --- reference data ------------------------------------------------------------------------------


def split_variants(text: str | None) -> list[str]:
    """Variants typed one per line or separated by commas, trimmed, lower-case, without duplicates."""
    parts = [p.strip().lower() for chunk in (text or "").splitlines() for p in chunk.split(",")]
    return list(dict.fromkeys(p for p in parts if p))


def skill_terms_statement(*, query: str | None = None, group: str | None = None, active: bool | None = None):
    """The vocabulary entries of a group (and active or not) whose labels, code or variants contain a text, by group and label."""
    stmt = select(SkillTerm).order_by(SkillTerm.group, SkillTerm.label_nl, SkillTerm.id)
    if group:
        stmt = stmt.where(SkillTerm.group == group)
    if active is not None:
        stmt = stmt.where(SkillTerm.active.is_(active))
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(SkillTerm.label_nl).like(like), func.lower(SkillTerm.label_en).like(like),
                              SkillTerm.id.like(like), func.lower(cast(SkillTerm.variants_nl, String)).like(like)))
    return stmt


def list_skill_terms(*, session: Session, query: str | None = None, group: str | None = None) -> list[SkillTerm]:
    return list(session.exec(skill_terms_statement(query=query, group=group).limit(1000)).all())


def skill_groups(*, session: Session) -> list[str]:
    return list(session.exec(select(SkillTerm.group).distinct().order_by(SkillTerm.group)).all())


def save_skill_term(*, session: Session, admin: User, term_id: str, data: dict, is_new: bool) -> SkillTerm:
    """Create or update a vocabulary entry."""
    term = session.get(SkillTerm, term_id)
    if is_new and term is not None:
        raise AdminError(_("Er bestaat al een vaardigheid met deze code."))
    if not is_new and term is None:
        raise AdminError(_("Deze vaardigheid bestaat niet."))
    term = term or SkillTerm(id=term_id, label_nl="", label_en="", group="")
    for key in ("label_nl", "label_en", "group", "esco_uri", "active"):
        setattr(term, key, data[key])
    term.variants_nl = split_variants(data.get("variants_nl"))
    term.variants_en = split_variants(data.get("variants_en"))
    session.add(term)
    session.flush()
    record_audit(session=session, actor_id=admin.id, action="skill_term.created" if is_new else "skill_term.updated", obj=term)
    return term


def list_premiums(*, session: Session) -> list[Premium]:
    return list(session.exec(select(Premium).order_by(Premium.code)).all())


PREMIUM_FIELDS = ("code", "name_nl", "name_en", "conditions_nl", "conditions_en", "amount", "percentage_min", "percentage_max",
                  "unit", "source_url", "valid_from", "valid_to")


def save_premium(*, session: Session, admin: User, premium: Premium | None, data: dict) -> Premium:
    """Create or update a premium."""
    clash = session.exec(select(Premium).where(Premium.code == data["code"])).first()
    if clash is not None and (premium is None or clash.id != premium.id):
        raise AdminError(_("Er bestaat al een premie met deze code."))
    is_new = premium is None
    premium = premium or Premium(code=data["code"], name_nl="", name_en="")
    for key in PREMIUM_FIELDS:
        setattr(premium, key, data.get(key))
    session.add(premium)
    session.flush()
    record_audit(session=session, actor_id=admin.id, action="premium.created" if is_new else "premium.updated", obj=premium,
                 detail={"amount": premium.amount, "percentage_min": premium.percentage_min, "percentage_max": premium.percentage_max})
    return premium


# --- settings ------------------------------------------------------------------------------------


def current_settings(*, session: Session) -> dict:
    """Every admin setting with its value (or default)."""
    return {key: get_setting(session=session, key=key) for key in ("phase_max_days", "success_definition", "retention_days", "place_expiry_days")}


def save_settings(*, session: Session, admin: User, values: dict) -> None:
    """Store the settings and audit what changed."""
    before = current_settings(session=session)
    changed = {}
    for key, value in values.items():
        if before.get(key) != value:
            set_setting(session=session, key=key, value=value)
            changed[key] = {"before": before.get(key), "after": value}
    if changed:
        record_audit(session=session, actor_id=admin.id, action="settings.changed", detail=changed)


# --- audit log -----------------------------------------------------------------------------------


def _audit_statement(*, session: Session, text: str | None, action: str | None, date_from: date | None, date_to: date | None, actor: str | None = None):
    stmt = select(AuditLog, User).outerjoin(User, User.id == AuditLog.actor_id)
    if action:
        stmt = stmt.where(AuditLog.action.like(f"{action}%"))
    if actor:
        # The matching accounts are looked up first and passed as values: the planner then knows how many rows they
        # have (a subquery's LIKE is guessed as one account) and walks the index on ``at`` for a common name.
        like = f"%{actor.strip().lower()}%"
        ids = session.exec(select(User.id).where(or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like)))).all()
        stmt = stmt.where(AuditLog.actor_id.in_(list(ids)) if ids else false())
    if text:
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(or_(
            func.lower(User.email).like(like), func.lower(User.full_name).like(like), func.lower(AuditLog.action).like(like),
            func.lower(AuditLog.object_type).like(like), AuditLog.object_id == text.strip(),
            func.lower(cast(AuditLog.detail, String)).like(like),
        ))
    if date_from:
        stmt = stmt.where(AuditLog.at >= datetime.combine(date_from, time.min, tzinfo=BRUSSELS))
    if date_to:
        stmt = stmt.where(AuditLog.at < datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=BRUSSELS))
    return stmt


def search_audit(
    *, session: Session, text: str | None = None, action: str | None = None, date_from: date | None = None, date_to: date | None = None,
    actor: str | None = None, page: int = 1, page_size: int = AUDIT_PAGE_SIZE,
) -> tuple[list[tuple[AuditLog, User | None]], int]:
    """Audit rows (newest first) matching a text (actor, object, detail), an actor, an action prefix and a date range; and the total."""
    stmt = _audit_statement(session=session, text=text, action=action, date_from=date_from, date_to=date_to, actor=actor)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


AUDIT_SORTS = ("wanneer", "actie")


def audit_page(*, session: Session, wanted, text: str | None = None, action: str | None = None, date_from: date | None = None,
               date_to: date | None = None, actor: str | None = None):
    """One page of the audit log (newest first by default) with the same filters as ``search_audit``."""
    from web.paging import paginate

    stmt = _audit_statement(session=session, text=text, action=action, date_from=date_from, date_to=date_to, actor=actor)
    return paginate(session, stmt, wanted, {"wanneer": [AuditLog.at], "actie": [AuditLog.action, AuditLog.at]}, tiebreak=[AuditLog.id.desc()])


_AUDIT_ACTIONS = sql_text(
    "WITH RECURSIVE found(action) AS ("
    " SELECT MIN(action) FROM audit_log"
    " UNION ALL SELECT (SELECT MIN(action) FROM audit_log WHERE action > found.action) FROM found WHERE found.action IS NOT NULL"
    ") SELECT action FROM found WHERE action IS NOT NULL"
)


def audit_actions(*, session: Session) -> list[str]:
    """The distinct actions of the log, in order: one index probe per action (a skip scan), not a scan of every row."""
    return [row[0] for row in session.execute(_AUDIT_ACTIONS).all()]
