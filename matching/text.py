"""Normalisation of skill text as Flemish users write it, and the fuzzy scorer registry.

A skill string goes through: lower case, accents removed, punctuation removed, filler words
dropped ("ervaring met", "kunnen", "attest"), a light Dutch stemmer (plural and diminutive
endings), and compound splitting against the vocabulary's own words
("vorkheftruckchauffeur" -> "vork heftruck chauffeur"). The normalised strings are then
compared with one rapidfuzz scorer chosen from ``SCORERS`` (see docs/matching.md for why
``token_sort`` is the default and why ``token_set``, ``partial`` and ``wratio`` are not).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

#: Words that carry no skill meaning in a skill line ("ervaring met heftruck", "VCA-attest").
FILLER_WORDS: frozenset[str] = frozenset(
    """
    kunnen kan kunt ervaring ervaringen met van het de een en of in op voor om te tot als bij
    kennis goed goede zeer heel vlot basis basiskennis vaardig vaardigheid vaardigheden
    attest attesten getuigschrift certificaat jaar jaren ik mijn
    rijden besturen bedienen gebruiken werken doen uitvoeren
    experience experienced with knowledge of skills skill the and a an able to good basic in using
    """.split()
)

_VOWELS = frozenset("aeiou")
_NON_WORD = re.compile(r"[^a-z0-9]+")
#: ``fold`` of ASCII text in one pass: apostrophes dropped, capitals lowered, every other character
#: than a letter or digit a space (runs of them are then joined into one).
_FOLD_ASCII = str.maketrans(
    {
        chr(code): None if chr(code) == "'" else chr(code).lower() if chr(code).isalnum() else " "
        for code in range(128)
    }
)
_DIMINUTIVES = ("etjes", "tjes", "pjes", "jes", "etje", "tje", "pje", "je")
_LINKS = ("", "s", "e", "en")
MIN_PART = 4
MIN_COMPOUND = 8

#: Interchangeable string scorers (rapidfuzz functions, 0-100). ``token_sort`` is the engine's default.
SCORERS: dict[str, Callable[..., float]] = {
    "token_sort": fuzz.token_sort_ratio,
    "ratio": fuzz.ratio,
    "token_set": fuzz.token_set_ratio,
    "partial": fuzz.partial_ratio,
    "wratio": fuzz.WRatio,
}
DEFAULT_SCORER = "token_sort"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip accents and replace punctuation by spaces ("Kassa's" -> "kassas")."""
    if text.isascii():
        return " ".join(text.translate(_FOLD_ASCII).split())
    text = text.replace("'", "").replace("’", "")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.lower()).strip()


#: ``_FOLD_ASCII`` as a table of bytes that keeps NUL, the separator of ``folded_words``' one pass (the
#: apostrophe is deleted by that pass).
_FOLD_BYTES = bytes([0, *(ord(_FOLD_ASCII[code] or " ") for code in range(1, 128)), *range(128, 256)])


def folded_words(texts: list[str]) -> list[list[str]]:
    """Return the words of ``fold(text)`` for each text, the ASCII ones folded in one pass over all of them."""
    if not texts:
        return []
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:  # a text of its own holds a NUL
        return [fold(text).split() for text in texts]
    # Characters other than ASCII become "?" here, and those texts are folded again one by one below.
    ascii = joined.encode("ascii", "replace").translate(_FOLD_BYTES, b"'").decode("ascii")
    words = [piece.split() for piece in ascii.split("\0")]
    if not joined.isascii():
        for k, text in enumerate(texts):
            if not text.isascii():
                words[k] = fold(text).split()
    return words


def _undouble_or_lengthen(stem: str) -> str:
    """Undo the spelling change of a Dutch "-en" plural: pakk -> pak, mak -> maak."""
    if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        return stem[:-1]
    if (
        len(stem) >= 3
        and stem[-1] not in _VOWELS
        and stem[-2] in _VOWELS
        and stem[-3] not in _VOWELS
        and stem[-2] in "aou"
        and stem[-1] not in "wjy"
    ):
        return stem[:-1] + stem[-2] + stem[-1]
    return stem


def _strip_plural(token: str) -> str:
    if token.endswith("en") and len(token) >= 5 and not token.endswith("ieen"):
        return _undouble_or_lengthen(token[:-2])
    if (
        token.endswith("s")
        and len(token) >= 5
        and not token.endswith("ss")
        and token[-2] != "i"
        and not (token[-2] in _VOWELS and token[-3] in _VOWELS)  # vlees, kaas, huis: not plurals
        and not token.endswith("ijs")  # prijs, rijbewijs
    ):
        return token[:-1]
    return token


def stem_candidates(token: str) -> list[str]:
    """Return possible stems of a token, the default rule first."""
    if len(token) <= 3 or token.isdigit():
        return [token]
    out: list[str] = []
    if token.endswith(("je", "jes")):  # every diminutive ending does
        for suffix in _DIMINUTIVES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                out.append(token[: -len(suffix)])
    if out:
        base = out[0]
        return [base, *out[1:], token]
    return [_strip_plural(token), token]


class Normaliser:
    """Turn skill text into a canonical form, splitting compounds against known vocabulary words."""

    def __init__(self, vocabulary_words: Iterable[str] = ()) -> None:
        self.known: set[str] = set()
        for word in vocabulary_words:
            for token in fold(word).split():
                if token not in FILLER_WORDS and not token.isdigit():
                    self.known.add(stem_candidates(token)[0])
        self.known |= self._derived_parts(self.known)
        self.atoms = self._atoms(self.known)
        self.split_atoms = self.atoms | {w for w in FILLER_WORDS if len(w) >= MIN_PART}
        self._split_heads, self._split_tails = _atoms_by_ends(self.split_atoms)
        self._cache: dict[str, str] = {}
        self._token_cache: dict[str, str] = {}  # token -> its stem split into parts, joined by spaces

    @staticmethod
    def _derived_parts(known: set[str]) -> set[str]:
        """Learn compound parts the vocabulary uses in at least two compounds (chauffeur, medewerker)."""
        support: dict[str, set[str]] = {}
        for token in known:
            for cut in range(MIN_PART, len(token) - MIN_PART + 1):
                head, tail = token[:cut], token[cut:]
                if head in known:
                    support.setdefault(tail, set()).add(token)
                if tail in known:
                    support.setdefault(head, set()).add(token)
        return {part for part, tokens in support.items() if len(tokens) >= 2}

    @staticmethod
    def _atoms(known: set[str]) -> frozenset[str]:
        atoms: set[str] = set()
        heads: dict[str, tuple[str, ...]] = {}
        tails: dict[str, tuple[str, ...]] = {}
        for token in sorted(known, key=lambda t: (len(t), t)):
            if len(token) < MIN_COMPOUND or _segment(token, heads, tails) is None:
                atoms.add(token)
                _add_atom(token, heads, tails)
        return frozenset(atoms)

    def stem(self, token: str) -> str:
        """Return the stem of one folded token, preferring a stem the vocabulary knows."""
        known = self.known
        if len(token) > 3 and not token.endswith(("je", "jes")) and not token.isdigit():
            # Most tokens: the candidates are the plural rule's stem, then the token itself.
            plain = _strip_plural(token)
            return plain if plain in known or token not in known else token
        candidates = stem_candidates(token)
        for candidate in candidates:
            if candidate in known:
                return candidate
        return candidates[0]

    def split(self, token: str) -> list[str]:
        """Split a compound into vocabulary atoms, or return it unchanged."""
        if len(token) < MIN_COMPOUND or token in self.atoms:
            return [token]
        parts = _segment(token, self._split_heads, self._split_tails)
        if not parts:
            return [token]
        # "kookervaring", "heftruckattest": the filler part carries no skill meaning.
        return [p for p in parts if p not in FILLER_WORDS] or parts

    def many(self, texts: list[str]) -> list[str]:
        """Return the canonical form of each text, as ``__call__`` would, in one pass over distinct tokens.

        Each distinct folded text is split once; the tokens not seen before are stemmed and split once each;
        the results are kept in the same caches as ``__call__``'s.
        """
        cache, token_cache = self._cache, self._token_cache
        todo = [text for text in dict.fromkeys(texts) if text not in cache]
        folded: list[str] = []  # the folded text of each of todo
        results: dict[str, str] = {}  # folded text not normalised before -> its canonical form
        forms: dict[str, str] = {}  # token -> its stem split into parts, joined by spaces
        for tokens in folded_words(todo):
            key = " ".join(tokens)
            folded.append(key)
            if key in cache or key in results:
                continue
            if not FILLER_WORDS.isdisjoint(tokens) or any(map(str.isdigit, tokens)):
                tokens = [t for t in tokens if t not in FILLER_WORDS and not t.isdigit()] or tokens
            parts = []
            for token in tokens:
                form = forms.get(token)
                if form is None:
                    form = token_cache.get(token)
                    forms[token] = form = " ".join(self.split(self.stem(token))) if form is None else form
                parts.append(form)
            results[key] = " ".join(parts)
        if len(token_cache) < 500_000:
            token_cache.update(forms)
        if len(cache) < 500_000:
            cache.update(results)
            cache.update(zip(todo, map(cache.__getitem__, folded), strict=True))
            return list(map(cache.__getitem__, texts))
        new = {
            text: results[form] if form in results else cache[form]
            for text, form in zip(todo, folded, strict=True)
        }
        return [new[text] if text in new else cache[text] for text in texts]

    def __call__(self, text: str) -> str:
        """Return the canonical form of a skill string."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        folded = fold(text)
        cached = self._cache.get(folded)  # "Heftruck" and "heftruck" normalise alike
        if cached is not None:
            self._cache[text] = cached
            return cached
        tokens = folded.split()
        kept = [t for t in tokens if t not in FILLER_WORDS and not t.isdigit()] or tokens
        token_cache = self._token_cache
        out: list[str] = []
        for token in kept:
            form = token_cache.get(token)
            if form is None:
                form = " ".join(self.split(self.stem(token)))
                if len(token_cache) < 500_000:
                    token_cache[token] = form
            out.append(form)
        result = " ".join(out)
        if len(self._cache) < 500_000:
            self._cache[text] = self._cache[folded] = result
        return result


def _add_atom(atom: str, heads: dict[str, tuple[str, ...]], tails: dict[str, tuple[str, ...]]) -> None:
    """File an atom (of at least MIN_PART letters) under its first and under its last MIN_PART letters."""
    if len(atom) >= MIN_PART:
        heads[atom[:MIN_PART]] = (*heads.get(atom[:MIN_PART], ()), atom)
        tails[atom[-MIN_PART:]] = (*tails.get(atom[-MIN_PART:], ()), atom)


def _atoms_by_ends(atoms: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Return the atoms of at least MIN_PART letters by their first and by their last MIN_PART letters.

    Each group is shortest first, as ``_segment`` tries them.
    """
    heads: dict[str, tuple[str, ...]] = {}
    tails: dict[str, tuple[str, ...]] = {}
    for atom in sorted(atoms, key=lambda a: (len(a), a)):
        _add_atom(atom, heads, tails)
    return heads, tails


def _segment(
    token: str, heads: dict[str, tuple[str, ...]], tails: dict[str, tuple[str, ...]]
) -> list[str] | None:
    """Split ``token`` into the fewest atoms (with optional linking s/e/en), longest first part on ties.

    ``heads`` and ``tails`` are the atoms by their first and last MIN_PART letters (``_atoms_by_ends``).
    """
    n = len(token)
    # A split starts with an atom and ends with one (no linking letters after it): most tokens that reach
    # here (typos, unknown words) fail this at once and skip the search below.
    first, last = heads.get(token[:MIN_PART]), tails.get(token[-MIN_PART:])
    if not first or not last or not token.startswith(first) or not token.endswith(last):
        return None
    # The atoms (with their linking letters) that start at each position a split can reach from the start,
    # in the order the search below tries them: (where the next part starts, the atom).
    steps: dict[int, list[tuple[int, str]]] = {}
    reached = [0]
    while reached:
        i = reached.pop()
        if i in steps:
            continue
        steps[i] = found = []
        for piece in heads.get(token[i : i + MIN_PART], ()):
            if not token.startswith(piece, i):
                continue
            j = i + len(piece)
            for link in _LINKS:
                k = j + len(link)
                if k > n or token[j:k] != link or (link and k == n):
                    continue
                found.append((k, piece))
                if k < n:
                    reached.append(k)
    # best[i] = (number of parts, negative lengths for tie-break, parts) for token[i:], or None.
    best: dict[int, tuple[int, tuple[int, ...], list[str]] | None] = {n: (0, (), [])}
    for i in sorted(steps, reverse=True):
        candidate: tuple[int, tuple[int, ...], list[str]] | None = None
        for k, piece in steps[i]:
            rest = best[k]
            if rest is None:
                continue
            option = (rest[0] + 1, (-len(piece), *rest[1]), [piece, *rest[2]])
            if candidate is None or option[:2] < candidate[:2]:
                candidate = option
        best[i] = candidate
    result = best[0]
    if result is None or result[0] < 2:
        return None
    return result[2]


#: Scorers that are an Indel ratio of two strings of their own lengths: a pair can reach ``cutoff`` only
#: when the lengths are close (|a - b| <= (1 - cutoff / 100) (a + b)), so whole bands can be skipped.
_LENGTH_BOUNDED = (fuzz.ratio, fuzz.token_sort_ratio)


#: The bits of a character mask, lowest first: (character, how many times a text has it at least). Every
#: letter, digit and the space has one for once, the letters and the space (digits are rare in skill text)
#: one for twice. The low 32 tell skill texts apart best (the common letters, the commonest twice): the
#: filter of ``similar_pairs`` looks at them first.
_MASK_BITS = (
    [(c, 1) for c in "abcdefghiklmnoprstuvwy"]
    + [(c, 2) for c in "eanriotslc"]
    + [(c, 1) for c in "jqxz0123456789 "]
    + [(c, 2) for c in "bdfghjkmpquvwxyz "]
)
_BIT = {character_count: 1 << k for k, character_count in enumerate(_MASK_BITS)}
_SPACE_BITS = _BIT[" ", 1] | _BIT[" ", 2]  # high bits: the low 32 are the same whether spaces count or not
#: Columns of the count table of ``character_masks``: these characters, then one for any other.
_COUNTED = "abcdefghijklmnopqrstuvwxyz0123456789 "
_COLUMN_OF_BYTE = np.full(256, len(_COUNTED), dtype=np.int64)
for _column, _character in enumerate(_COUNTED):
    _COLUMN_OF_BYTE[ord(_character)] = _column
_BIT_COLUMN = np.asarray([_COUNTED.index(c) for c, _ in _MASK_BITS], dtype=np.int64)
_BIT_COUNT = np.asarray([count for _, count in _MASK_BITS], dtype=np.int64)
#: Candidate pairs are filtered this many (query, choice) comparisons at a time.
FILTER_BLOCK = 1 << 16


def character_mask(text: str) -> int:
    """Return which letters, digits and spaces ``text`` has, and which letters and spaces twice, as bits.

    Other characters are left out. Two texts whose masks differ in k bits differ in at least k characters
    counted with multiplicity, and each of those costs one insertion or deletion (Indel distance >= k).
    """
    mask = 0
    seen: set[str] = set()
    for ch in text:
        if ch in seen:
            mask |= _BIT.get((ch, 2), 0)
        else:
            seen.add(ch)
            mask |= _BIT.get((ch, 1), 0)
    return mask


def character_masks(texts: list[str]) -> np.ndarray:
    """Return ``character_mask`` of every text (uint64), in a few array operations over all of them."""
    if not texts:
        return np.empty(0, dtype=np.uint64)
    # One byte per character ("?" for any other than ASCII), counted per text and character.
    data = np.frombuffer("".join(texts).encode("ascii", "replace"), dtype=np.uint8)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    columns = len(_COUNTED) + 1
    cell = np.repeat(np.arange(len(texts), dtype=np.int64) * columns, lengths) + _COLUMN_OF_BYTE[data]
    counts = np.bincount(cell, minlength=len(texts) * columns).reshape(len(texts), columns)
    bits = np.take(counts, _BIT_COLUMN, axis=1) >= _BIT_COUNT
    # Column k is bit k: eight columns a byte, lowest bit first, read as little-endian 64-bit words.
    return np.packbits(bits, axis=1, bitorder="little").view("<u8").reshape(-1).astype(np.uint64, copy=False)


class LengthIndex:
    """Choices sorted by length once, so that a band of lengths is one slice (see ``similar_pairs``)."""

    def __init__(self, choices: list[str]) -> None:
        self.choices = choices
        length = np.fromiter(map(len, choices), dtype=np.int64, count=len(choices))
        self.order = np.argsort(length, kind="stable")
        self.length = length[self.order]
        self.by_length = [choices[k] for k in self.order.tolist()]
        self._masks: np.ndarray | None = None
        self._first_masks: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.choices)

    @property
    def masks(self) -> np.ndarray:
        """Return each choice's ``character_mask`` in length order (uint64, computed on first use)."""
        if self._masks is None:
            self._masks = character_masks(self.by_length)
        return self._masks

    @property
    def first_masks(self) -> np.ndarray:
        """Return the low 32 bits of ``masks`` (uint32, computed on first use)."""
        if self._first_masks is None:
            self._first_masks = self.masks.astype(np.uint32)
        return self._first_masks


def similar_pairs(
    queries: list[str], choices: list[str] | LengthIndex, scorer: Callable[..., float], cutoff: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (query index, choice index, score 0-100 as uint8) of every pair scoring at least ``cutoff``.

    The same pairs and scores as one ``rapidfuzz.process.cdist`` over all of them (in query length order);
    for ``ratio`` and ``token_sort_ratio`` only the choices whose length can reach the cut-off are looked
    at, one band of lengths per query length, so long labels never meet short texts, and of those only the
    pairs whose ``character_mask`` differ in no more bits than the cut-off's Indel distance allows (first
    the low 32 bits over blocks of all queries of one length, then all 64 bits for the pairs left) are
    scored, all in one ``rapidfuzz.process.cpdist`` (one thread: the filter leaves about one in a thousand).
    """
    empty = np.empty(0, dtype=np.int64)
    if not queries or not len(choices):
        return empty, empty, np.empty(0, dtype=np.uint8)
    kwargs: dict = {"scorer": scorer, "score_cutoff": cutoff, "dtype": np.uint8, "workers": -1}
    if scorer not in _LENGTH_BOUNDED:
        plain = choices.choices if isinstance(choices, LengthIndex) else choices
        scores = process.cdist(queries, plain, **kwargs)
        rows, cols = np.nonzero(scores)
        return rows.astype(np.int64), cols.astype(np.int64), scores[rows, cols]
    index = choices if isinstance(choices, LengthIndex) else LengthIndex(choices)
    slack = 1.0 - cutoff / 100.0
    query_length = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))
    query_masks, choice_masks = character_masks(queries), index.masks
    if scorer is not fuzz.ratio:
        # token_sort_ratio compares the words joined by single spaces: only the other characters count.
        keep = np.uint64(~_SPACE_BITS & 0xFFFF_FFFF_FFFF_FFFF)
        query_masks, choice_masks = query_masks & keep, choice_masks & keep
    # Every character (counted up to twice) one string has more of than the other costs at least one
    # insertion or deletion, so a pair whose masks differ in more bits than the Indel distance the cut-off
    # allows cannot reach it: only the others are scored (the same pairs and scores). The low 32 bits
    # first, for every pair of the bands, then all 64 for the few pairs left.
    query_first, choice_first = query_masks.astype(np.uint32), index.first_masks
    by_query_length = np.argsort(query_length, kind="stable")
    lengths, first_of_length = np.unique(query_length[by_query_length], return_index=True)
    ends = [*first_of_length.tolist()[1:], len(queries)]
    found_rows, found_cols = [], []
    for length, begin, end in zip(lengths.tolist(), first_of_length.tolist(), ends, strict=True):
        lo = int(np.searchsorted(index.length, np.floor(length * (1 - slack) / (1 + slack)), "left"))
        hi = int(np.searchsorted(index.length, np.ceil(length * (1 + slack) / (1 - slack)), "right"))
        allowed = np.floor(slack * (length + index.length[lo:hi]) + 1e-9)
        # The Indel distance is at least the difference in length: the band is trimmed to the lengths whose
        # difference the cut-off allows (the rounded band above may hold one more at either end).
        reach = np.flatnonzero(np.abs(index.length[lo:hi] - length) <= allowed)
        if not len(reach):
            continue
        allowed = np.minimum(allowed[reach[0] : reach[-1] + 1], 64).astype(np.uint8)
        lo, hi = lo + int(reach[0]), lo + int(reach[-1]) + 1
        band_first = choice_first[lo:hi]
        rows_of_length = by_query_length[begin:end]
        step = max(1, FILTER_BLOCK // (hi - lo))
        for first in range(0, len(rows_of_length), step):
            rows = rows_of_length[first : first + step]
            differ = np.bitwise_count(query_first[rows][:, None] ^ band_first[None, :])
            row, col = np.divmod(np.flatnonzero(differ <= allowed), hi - lo)
            found_rows.append(rows[row])
            found_cols.append(col + lo)
    if not found_rows:
        return empty, empty, np.empty(0, dtype=np.uint8)
    rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
    allowed_of_pair = np.floor(slack * (query_length[rows] + index.length[cols]) + 1e-9)
    near = np.flatnonzero(np.bitwise_count(query_masks[rows] ^ choice_masks[cols]) <= allowed_of_pair)
    rows, cols = rows[near], cols[near]
    by_length = index.by_length
    kwargs["workers"] = 1
    scores = process.cpdist(
        [queries[k] for k in rows.tolist()], [by_length[k] for k in cols.tolist()], **kwargs
    )
    hits = np.flatnonzero(scores)
    return rows[hits], index.order[cols[hits]], scores[hits]
