"""Authentication: login, logout, employer registration, invitations and password reset.

A session is valid only while (1) its fingerprint matches the account's password hash and session version
(``User.get_id``): logout, a password change and a deactivation bump the version, so a copied cookie stops
working on the server; (2) it is younger than the absolute lifetime (``SESSION_ABSOLUTE_HOURS``) counted from
the login, whatever the activity; (3) it was used within the idle timeout (the signed cookie's age).
"""
from __future__ import annotations

import time

from flask import current_app, session
from flask_login import login_user

from web.db import get_session
from web.extensions import login_manager
from web.models import User

login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"

LOGIN_AT_KEY = "_login_at"


@login_manager.user_loader
def load_user(session_id: str):
    """Load the user of a session; refuse it when revoked (password, logout, deactivation), too old or passwordless."""
    user_id, _, fingerprint = session_id.partition(".")
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    expected = user.session_fingerprint()
    if expected is None or fingerprint != expected:
        return None
    login_at = session.get(LOGIN_AT_KEY)
    max_age = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    if not isinstance(login_at, int | float) or not (0 <= time.time() - login_at <= max_age):
        return None
    return user


def start_session(user: User) -> None:
    """Log a user in on a fresh session (nothing planted before survives) and stamp the login time."""
    session.clear()
    login_user(user, remember=False)
    session[LOGIN_AT_KEY] = int(time.time())
