"""The participant area of Stagebrug."""
