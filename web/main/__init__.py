"""Pages for everyone: home, dashboard dispatch, health check."""
