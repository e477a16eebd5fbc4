"""Forms of the admin area."""
