"""The admin area of Stagebrug."""
