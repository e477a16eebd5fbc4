"""Forms of the employer area."""
