"""In-app notifications (and, through the outbox, e-mail): one call for every part of the product."""
from __future__ import annotations

from sqlmodel import Session

from web.models import Notification


def notify(*, session: Session, user_id: int | None, kind: str, payload: dict | None = None, link: str | None = None) -> Notification | None:
    """Create a notification of a kind for a user; its text is rendered in the reader's language."""
    if user_id is None:
        return None
    note = Notification(user_id=user_id, kind=kind, payload=payload or {}, link=link)
    session.add(note)
    session.flush()
    return note
