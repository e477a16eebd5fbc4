"""iCalendar (RFC 5545) invitations for intake meetings, built with the ``icalendar`` library.

One meeting is one VEVENT with a stable UID; every change raises its SEQUENCE so calendar programs update the
same event. Times are written in Europe/Brussels with its VTIMEZONE. ``METHOD:REQUEST`` invites or updates,
``METHOD:CANCEL`` removes (RFC 5546, iTIP).
"""
from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import icalendar

from web.models import Meeting, utcnow

BRUSSELS = ZoneInfo("Europe/Brussels")
PRODID = "-//Stagebrug//Kennismakingsgesprekken//NL"


def meeting_calendar(*, meeting: Meeting, method: str, summary: str, description: str, organizer_email: str) -> str:
    """The invitation (or cancellation) of one meeting as iCalendar text."""
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(method)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_event(meeting=meeting, method=method, summary=summary, description=description, organizer_email=organizer_email))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def _event(*, meeting: Meeting, method: str, summary: str, description: str, organizer_email: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(BRUSSELS))
    event.add("dtend", meeting.ends_at.astimezone(BRUSSELS))
    event.add("summary", summary)
    event.add("location", meeting.location)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" or meeting.status == "cancelled" else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = icalendar.vText("Stagebrug")
    event.add("organizer", organizer)
    return event
