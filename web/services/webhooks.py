"""Webhooks for employers' systems: endpoints, the delivery outbox, signing, and delivery with retries.

An event never leaves from the request that caused it: ``enqueue`` writes one ``WebhookDelivery`` row per subscribed
endpoint in the same transaction, and the scheduler's ``deliver_due_webhooks`` sends them. Each delivery is a JSON
object with an ``id`` (the same on every retry, so receivers can drop duplicates), signed with HMAC-SHA256 over
``"<timestamp>.<body>"`` with the endpoint's secret (stored encrypted, ``web/services/secret_box.py``):

    Stagebrug-Webhook-Id: <event id>
    Stagebrug-Webhook-Timestamp: <unix seconds>
    Stagebrug-Webhook-Signature: v1=<hex digest>

A failed attempt (no 2xx within the timeout, a redirect, a network error) is retried with growing pauses; after
``MAX_ATTEMPTS`` the delivery is marked failed. Payloads carry ids, states and the place's title: never a
participant's name or contact data (the employer's system reads the proposal through the API, as the employer may).
Outside tests and development, endpoints must be https and may not resolve to private, loopback or link-local addresses.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlmodel import Session, select

from web.models import Employer, Proposal, StagePlace, User, WebhookDelivery, WebhookEndpoint, utcnow
from web.services.audit import record_audit
from web.services.secret_box import InvalidToken, open_secret, seal_secret

EVENTS = ("proposal.created", "proposal.updated", "meeting.confirmed", "place.expiring")
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10
EXPIRING_WITHIN = timedelta(days=7)
MAX_ENDPOINTS = 10


class WebhookError(Exception):
    """An endpoint address that is refused; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def message(self) -> str:
        from flask_babel import gettext as _

        return {
            "scheme": _("Gebruik een https://-adres."),
            "host": _("Dit adres is ongeldig."),
            "private": _("Dit adres wijst naar een intern of lokaal netwerk; dat is niet toegelaten."),
            "too_many": _("Je organisatie heeft al het maximale aantal webhooks."),
        }[self.code]


# --- endpoints ----------------------------------------------------------------------------------------


def allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def check_url(url: str, *, allow_private_addresses: bool) -> None:
    """Refuse anything but https (http only when private addresses are allowed) and, in production, internal addresses."""
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if allow_private_addresses else ("https",)
    if parts.scheme not in allowed:
        raise WebhookError("scheme")
    if not parts.hostname or parts.username or parts.password:
        raise WebhookError("host")
    if allow_private_addresses:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise WebhookError("host") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise WebhookError("private")


def new_secret() -> str:
    """A fresh signing secret (shown to the employer once, stored only encrypted)."""
    return "whsec_" + secrets.token_urlsafe(32)


def create_endpoint(*, session: Session, employer: Employer, actor: User, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the employer with a new signing secret; return it with the secret, which is not kept in the clear."""
    check_url(url, allow_private_addresses=allow_private())
    if len(list_endpoints(session=session, employer=employer)) >= MAX_ENDPOINTS:
        raise WebhookError("too_many")
    secret = new_secret()
    endpoint = WebhookEndpoint(employer_id=employer.id, url=url.strip(), secret_encrypted=seal_secret(secret),
                               events=[e for e in dict.fromkeys(events) if e in EVENTS], created_by_id=actor.id)
    session.add(endpoint)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="webhook.created", obj=endpoint, detail={"url": endpoint.url})
    return endpoint, secret


def rotate_secret(*, session: Session, endpoint: WebhookEndpoint, actor: User) -> str:
    """Give an endpoint a new signing secret and return it; every delivery from now on, retries included, is signed with it."""
    secret = new_secret()
    endpoint.secret_encrypted = seal_secret(secret)
    session.add(endpoint)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="webhook.secret_rotated", obj=endpoint, detail={"url": endpoint.url})
    return secret


def endpoint_secret(*, session: Session, endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret in the clear (to sign); one sealed under an older SECRET_KEY is stored again under the current one."""
    opened = open_secret(endpoint.secret_encrypted)
    if opened.resealed is not None:
        endpoint.secret_encrypted = opened.resealed
        session.add(endpoint)
    return opened.plain


def list_endpoints(*, session: Session, employer: Employer) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).where(WebhookEndpoint.employer_id == employer.id).order_by(WebhookEndpoint.id)).all())


def get_endpoint(*, session: Session, employer: Employer, endpoint_id: int) -> WebhookEndpoint | None:
    """The endpoint with this id if it belongs to the employer, else None."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.employer_id != employer.id:
        return None
    return endpoint


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint, actor: User) -> None:
    """Remove an endpoint and its delivery log."""
    for delivery in session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all():
        session.delete(delivery)
    record_audit(session=session, actor_id=actor.id, action="webhook.deleted", obj=endpoint, detail={"url": endpoint.url})
    session.delete(endpoint)
    session.flush()


def list_deliveries(*, session: Session, endpoint: WebhookEndpoint, offset: int = 0, limit: int = 25) -> list[WebhookDelivery]:
    return list(
        session.exec(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).offset(offset).limit(limit)
        ).all()
    )


# --- events -------------------------------------------------------------------------------------------


def enqueue(*, session: Session, employer_id: int, event: str, data: dict, now: datetime | None = None) -> int:
    """Put an event in the outbox for every active endpoint of the employer that subscribed to it."""
    now = now or utcnow()
    count = 0
    for endpoint in session.exec(select(WebhookEndpoint).where(WebhookEndpoint.employer_id == employer_id, WebhookEndpoint.active.is_(True))).all():
        if event not in (endpoint.events or ()):
            continue
        event_id = "evt_" + uuid.uuid4().hex
        payload = {"id": event_id, "type": event, "created_at": now.isoformat(), "data": data}
        session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id, event=event, payload=payload, created_at=now, next_attempt_at=now))
        count += 1
    if count:
        session.flush()
    return count


def enqueue_proposal_event(*, session: Session, proposal: Proposal, event: str) -> int:
    """Tell the place's employer that a proposal was created or changed state (ids and state only)."""
    place = session.get(StagePlace, proposal.place_id)
    if place is None:
        return 0
    data = {
        "proposal": {"id": proposal.id, "state": proposal.state, "place_id": place.id, "place_title": place.title,
                     "updated_at": proposal.updated_at.isoformat() if proposal.updated_at else None},
        "href": f"/api/v1/employer/proposals/{proposal.id}",
    }
    return enqueue(session=session, employer_id=place.employer_id, event=event, data=data)


def enqueue_meeting_event(*, session: Session, meeting, event: str = "meeting.confirmed") -> int:
    """Tell the place's employer that an intake meeting was confirmed or moved (times, place and ids; no names)."""
    proposal = session.get(Proposal, meeting.proposal_id)
    place = session.get(StagePlace, proposal.place_id) if proposal else None
    if place is None:
        return 0
    data = {
        "meeting": {"id": meeting.id, "uid": meeting.uid, "proposal_id": proposal.id, "status": meeting.status, "sequence": meeting.sequence,
                    "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(), "location": meeting.location},
        "href": f"/api/v1/employer/proposals/{proposal.id}",
    }
    return enqueue(session=session, employer_id=place.employer_id, event=event, data=data)


def enqueue_expiring_places(*, session: Session, now: datetime | None = None) -> int:
    """Announce once per publication period every published place that expires within a week."""
    from web.services.reminders import claim_reminder

    now = now or utcnow()
    count = 0
    for place in session.exec(
        select(StagePlace).where(StagePlace.status == "published", StagePlace.expires_at.is_not(None), StagePlace.expires_at > now,
                                 StagePlace.expires_at <= now + EXPIRING_WITHIN)
    ).all():
        if not claim_reminder(session=session, kind="webhook.place_expiring", subject_id=place.id, threshold=place.expires_at.date().isoformat()):
            continue
        data = {"place": {"id": place.id, "title": place.title, "status": place.status, "expires_at": place.expires_at.isoformat()},
                "href": f"/api/v1/employer/places/{place.id}"}
        count += enqueue(session=session, employer_id=place.employer_id, event="place.expiring", data=data, now=now)
    return count


# --- signing and delivery -----------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: ``v1=`` and the HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: datetime | None = None, tolerance_seconds: int = 300) -> bool:
    """Check a delivery as a receiver should: a fresh timestamp and a matching signature (constant-time compare)."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = int((now or utcnow()).timestamp())
    if abs(current - moment) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature or "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Deliveries go only to the configured address: a redirect counts as a failed attempt."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the body and return the status code (errors as their status, or raise OSError for network failures)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def deliver_due_webhooks(
    *, session: Session, now: datetime | None = None, limit: int = 100, post: Callable[[str, bytes, dict], int] | None = None,
    allow_private_addresses: bool | None = None,
) -> dict:
    """Send every delivery that is due; record each attempt and plan the next one with backoff."""
    now = now or utcnow()
    post = post or http_post
    if allow_private_addresses is None:
        allow_private_addresses = allow_private()
    rows = session.exec(
        select(WebhookDelivery, WebhookEndpoint).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.failed_at.is_(None), WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
    ).all()
    sent = failed = 0
    for delivery, endpoint in rows:
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(now.timestamp())
        delivery.attempts += 1
        status, error = None, None
        try:
            secret = endpoint_secret(session=session, endpoint=endpoint)
            headers = {
                "Content-Type": "application/json", "User-Agent": "Stagebrug-Webhooks/1", "Stagebrug-Webhook-Id": delivery.event_id,
                "Stagebrug-Webhook-Timestamp": str(timestamp), "Stagebrug-Webhook-Signature": sign(secret, timestamp, body),
            }
            check_url(endpoint.url, allow_private_addresses=allow_private_addresses)
            status = post(endpoint.url, body, headers)
        except InvalidToken:
            error = "signing secret unreadable (SECRET_KEY changed without SECRET_KEY_FALLBACKS): rotate the secret"
        except WebhookError as exc:
            error = f"refused address: {exc.code}"
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        delivery.last_status = status
        if status is not None and 200 <= status < 300:
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.last_error = None
            sent += 1
        else:
            delivery.last_error = error or f"HTTP {status}"
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.failed_at = now
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            failed += 1
        session.add(delivery)
        session.flush()
    return {"sent": sent, "failed": failed}
