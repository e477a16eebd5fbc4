"""Authentication: login, logout, employer registration, invitations and password reset."""
from web.db import get_session
from web.extensions import login_manager
from web.models import User

login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str):
    """Load the user of a session; refuse it when the password changed since login or the user is inactive."""
    user_id, _, fingerprint = session_id.partition(".")
    try:
        user = get_session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active or fingerprint != user.password_fingerprint():
        return None
    return user
