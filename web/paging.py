"""One way to page, sort and count every long list: read the query string, page a statement in the database.

A list view declares the sort keys it offers (a key in the query string → the columns to order by), reads the
request with ``read_page_request`` and pages its statement with ``paginate``: one COUNT and one SELECT with
LIMIT/OFFSET, whatever the number of rows. The query string is bookmarkable and the same everywhere:

- ``pagina``: the page number (1 when missing, not a number, below 1 or past the last page);
- ``aantal``: rows per page, one of ``PAGE_SIZES`` (else the first);
- ``sorteer``: a sort key, ``-key`` for descending (an unknown key gives the list's default order).

Every other argument (the list's own filters) is kept in the links the ``templates/_paging.html`` macros build.
Lists that are sorted in Python (a column the database cannot compute cheaply) use ``paginate_list`` and behave
the same.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from sqlmodel import Session, func, select

PAGE_SIZES = (25, 50, 100)
PAGE_ARG, SIZE_ARG, SORT_ARG = "pagina", "aantal", "sorteer"


@dataclass(frozen=True)
class PageRequest:
    """What the query string asks: a page, a page size and a sort key with its direction."""

    page: int
    per_page: int
    sort: str
    descending: bool

    @property
    def sort_arg(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number >= 1 else None


def read_page_request(args: Mapping[str, str], *, sorts: Sequence[str], default: str) -> PageRequest:
    """Read page, size and sort from query arguments; anything invalid falls back to the first page and the default."""
    size = _positive_int(args.get(SIZE_ARG))
    raw_sort = (args.get(SORT_ARG) or "").strip()
    descending = raw_sort.startswith("-")
    key = raw_sort[1:] if descending else raw_sort
    if key not in sorts:
        descending, key = default.startswith("-"), default.removeprefix("-")
    return PageRequest(page=_positive_int(args.get(PAGE_ARG)) or 1, per_page=size if size in PAGE_SIZES else PAGE_SIZES[0],
                       sort=key, descending=descending)


@dataclass
class Page:
    """One page of a list with what the paging and sorting links need."""

    items: list
    total: int
    page: int
    per_page: int
    sort: str
    descending: bool
    endpoint: str | None = None
    view_args: dict = field(default_factory=dict)
    args: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)

    @property
    def sizes(self) -> tuple[int, ...]:
        return PAGE_SIZES

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def url(self, **changes: Any) -> str:
        """This list's URL with the current filters and some arguments changed (None removes one)."""
        args = {k: v for k, v in self.args.items() if v not in (None, "")}
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        if args.get(PAGE_ARG) == 1:
            args.pop(PAGE_ARG)
        return url_for(self.endpoint or request.endpoint, **self.view_args, **args)

    def page_url(self, number: int) -> str:
        return self.url(**{PAGE_ARG: number})

    def sort_url(self, key: str) -> str:
        """Sort by a key (back to page 1); asking the current key again turns its direction around."""
        descending = not self.descending if key == self.sort else False
        return self.url(**{SORT_ARG: f"-{key}" if descending else key, PAGE_ARG: None})

    def size_url(self, size: int) -> str:
        return self.url(**{SIZE_ARG: size, PAGE_ARG: None})

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


def _page_of(items: list, total: int, wanted: PageRequest, page: int) -> Page:
    return Page(items=items, total=total, page=page, per_page=wanted.per_page, sort=wanted.sort, descending=wanted.descending,
                endpoint=request.endpoint if request else None, view_args=dict(request.view_args or {}) if request else {},
                args=request.args.to_dict() if request else {})


def _valid_page(wanted: PageRequest, total: int) -> int:
    pages = max(1, -(-total // wanted.per_page))
    return wanted.page if wanted.page <= pages else 1


def paginate(session: Session, statement, wanted: PageRequest, order_by: Mapping[str, Sequence], *, leading: Sequence = (),
             tiebreak: Sequence = (), convert: Callable[[Any], Any] | None = None, past_end_gives_first: bool = True) -> Page:
    """Count a statement's rows and fetch one page of it, ordered by ``leading``, the wanted key's columns, ``tiebreak``.

    ``order_by`` maps each sort key to its columns (ascending); a descending request reverses all of them. Two
    statements, whatever the number of rows; a page past the last one gives the first page (pages of links), or
    stays an empty page with ``past_end_gives_first=False`` (the API: a client reading on until a page is empty stops).
    """
    total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
    page = _valid_page(wanted, total) if past_end_gives_first else wanted.page
    columns = [column.desc() if wanted.descending else column.asc() for column in order_by[wanted.sort]]
    rows = session.exec(statement.order_by(None).order_by(*leading, *columns, *tiebreak).limit(wanted.per_page).offset((page - 1) * wanted.per_page)).all()
    items = [convert(row) for row in rows] if convert else list(rows)
    return _page_of(items, total, wanted, page)


def paginate_list(rows: Sequence, wanted: PageRequest, sort_keys: Mapping[str, Callable[[Any], Any]]) -> Page:
    """Sort and page rows already in memory, with the same query string and links as ``paginate``.

    A sort key returns the value to order by, or None for a missing value: those rows come last in both directions.
    """
    key = sort_keys[wanted.sort]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    ordered = sorted(present, key=key, reverse=wanted.descending) + missing
    page = _valid_page(wanted, len(ordered))
    start = (page - 1) * wanted.per_page
    return _page_of(ordered[start:start + wanted.per_page], len(ordered), wanted, page)
