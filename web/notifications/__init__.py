"""In-app notifications: the list, mark as read, and e-mail preferences (every logged-in role)."""
