"""Errors the engine raises for bad input, naming the record and the field."""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """A participant or vacancy record that the engine cannot use."""

    def __init__(self, kind: str, index: int | None, record_id: Any, field: str, message: str) -> None:
        self.kind = kind
        self.index = index
        self.record_id = record_id
        self.field = field
        self.message = message
        where = kind if index is None else f"{kind} #{index}"
        if record_id is not None:
            where += f" (id {record_id!r})"
        super().__init__(f"{where}: field '{field}': {message}")
