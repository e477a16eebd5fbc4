"""A stored build of a vocabulary's costly parts: every form normalised, and the word space over them.

Normalising ESCO's 43,800 English labels and building the word space over the forms costs more than a
second of CPU per vocabulary, and both depend only on the entries' forms and on the code that normalises
and weighs them. ``recall`` and ``remember`` keep them per process (the last few vocabularies) and, given
a directory, in one file per build named by the SHA-256 of those inputs (``build_key``), so a new process
reads them back instead of computing them. A file that is missing, unreadable or of another build is
simply not used; nothing but numbers and UTF-8 text is stored (no pickle).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from matching.vocabulary import SkillEntry

#: Changes whenever the stored layout changes.
CACHE_FORMAT = 1
#: The modules whose code decides what is stored: a change to any of them makes a new build.
_SOURCES = ("text.py", "similarity.py", "vocabulary.py", "vocabulary_cache.py")
#: Builds kept in memory per process, and files kept per directory.
KEPT_IN_MEMORY = 2
KEPT_ON_DISK = 4
_PREFIX = "vocabulary-"


@dataclass(frozen=True)
class PreparedForms:
    """The normalised forms of a vocabulary (all entries' variants, then all ESCO labels) and its word space."""

    normalised: tuple[str, ...]
    words: tuple[str, ...] | None = None
    weight: np.ndarray | None = None
    form_vectors: sp.csr_matrix | None = None


_lock = threading.Lock()
_memory: OrderedDict[str, PreparedForms] = OrderedDict()


def build_key(entries: Sequence[SkillEntry]) -> str:
    """Return the SHA-256 of the entries' forms and of the code that prepares them."""
    digest = hashlib.sha256(f"format {CACHE_FORMAT}\n".encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    for entry in entries:
        digest.update("\x1e".join(entry.variants).encode())
        digest.update(b"\x1d")
        digest.update("\x1e".join(entry.esco_labels).encode())
        digest.update(b"\x1c")
    return digest.hexdigest()


def _path(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key[:40]}.npz"


def _text(values: Sequence[str]) -> np.ndarray:
    # Normalised forms and words never hold a newline (they are words joined by single spaces).
    return np.frombuffer("\n".join(values).encode(), dtype=np.uint8)


def _strings(array: np.ndarray, count: int) -> tuple[str, ...]:
    values = tuple(array.tobytes().decode().split("\n")) if count else ()
    if len(values) != count:
        raise ValueError("stored strings do not match their count")
    return values


def _read(path: Path) -> PreparedForms | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != CACHE_FORMAT:
                return None
            normalised = _strings(data["normalised"], int(data["normalised_count"]))
            if "words" not in data:
                return PreparedForms(normalised)
            words = _strings(data["words"], int(data["words_count"]))
            shape = tuple(int(n) for n in data["vectors_shape"])
            vectors = sp.csr_matrix(
                (data["vectors_data"], data["vectors_indices"], data["vectors_indptr"]), shape=shape
            )
            return PreparedForms(normalised, words, data["weight"], vectors)
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile):
        return None


def _write(directory: Path, key: str, prepared: PreparedForms) -> None:
    arrays: dict[str, Any] = {
        "format": np.asarray(CACHE_FORMAT),
        "normalised": _text(prepared.normalised),
        "normalised_count": np.asarray(len(prepared.normalised)),
    }
    if prepared.words is not None and prepared.weight is not None and prepared.form_vectors is not None:
        vectors = prepared.form_vectors
        arrays |= {
            "words": _text(prepared.words),
            "words_count": np.asarray(len(prepared.words)),
            "weight": prepared.weight,
            "vectors_data": vectors.data,
            "vectors_indices": vectors.indices,
            "vectors_indptr": vectors.indptr,
            "vectors_shape": np.asarray(vectors.shape),
        }
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".vocabulary-", suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, _path(directory, key))  # readers see the old file or the whole new one
        stored = sorted(directory.glob(f"{_PREFIX}*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in stored[KEPT_ON_DISK:]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only or full directory only costs the next process the build


def recall(key: str, directory: str | Path | None = None) -> PreparedForms | None:
    """Return the stored build for ``key``: from this process, else from ``directory``, else None."""
    with _lock:
        found = _memory.get(key)
        if found is not None:
            _memory.move_to_end(key)
            return found
    if directory is None:
        return None
    found = _read(_path(Path(directory), key))
    if found is not None:
        _keep(key, found)
    return found


def remember(key: str, prepared: PreparedForms, directory: str | Path | None = None) -> None:
    """Keep a build in this process and, given a directory, in its file there."""
    _keep(key, prepared)
    if directory is not None:
        _write(Path(directory), key, prepared)


def _keep(key: str, prepared: PreparedForms) -> None:
    with _lock:
        _memory[key] = prepared
        _memory.move_to_end(key)
        while len(_memory) > KEPT_IN_MEMORY:
            _memory.popitem(last=False)


def forget() -> None:
    """Drop the builds kept in this process (tests and benchmarks measure cold builds with it)."""
    with _lock:
        _memory.clear()
