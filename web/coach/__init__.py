"""The coach area of Stagebrug."""
