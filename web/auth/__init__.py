"""Authentication: login, logout, employer registration, invitations and password reset."""
from web.db import get_session
from web.extensions import login_manager
from web.models import User

login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    try:
        user = get_session().get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None
