"""Forms of the participant area."""
