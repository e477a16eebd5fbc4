"""The employer area of Stagebrug."""
