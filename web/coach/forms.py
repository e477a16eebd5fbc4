"""Forms of the coach area."""
