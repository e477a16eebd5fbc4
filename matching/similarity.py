"""Graded similarity between skill texts: soft TF-IDF over words, with typo-tolerant word matching.

Two normalised skill texts are compared as vectors of their words, each word weighted by how rare it
is among the vocabulary's forms (inverse document frequency), so shared informative words count and
common ones ("medewerker", "machine") count little. A word the vocabulary does not use is read as its
closest vocabulary word when ``fuzz.ratio`` reaches ``WORD_CUTOFF`` and the word is long enough
(``heftruk`` -> ``heftruck``; ``las`` never becomes ``glas``), weighted by that ratio. The similarity is the cosine of both vectors, kept from
``GRADED_MINIMUM``: ``heftruck`` against ``heftruck instructeur lesgever`` stays below it, while
``honden wassen`` against ``honden verzorgen`` gets partial credit. See docs/matching.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz

from matching.arrays import expand_ranges
from matching.text import LengthIndex, similar_pairs

#: A participant's unknown word is read as a known word from this ratio on (0-100).
WORD_CUTOFF = 85.0
#: Words shorter than this are only matched exactly (short substrings must not score high).
MIN_FUZZY_WORD = 5
#: Cosines below this give no credit.
GRADED_MINIMUM = 0.5
#: Up to this many texts (one participant's) ``graded_pairs`` runs in plain numpy, above as a sparse product.
FEW_TEXTS = 64


@dataclass
class WordSpace:
    """The vocabulary's words with their weights, and the unit vectors of the vocabulary's forms."""

    index: dict[str, int]
    words: list[str]
    weight: np.ndarray
    fuzzy_words: list[str]
    fuzzy_index: np.ndarray
    fuzzy_length_index: LengthIndex
    matched: dict[str, tuple[int, float]]
    extra: dict[str, int]  # words outside the vocabulary met so far -> their column (after the words)
    form_vectors: sp.csr_matrix


def build_word_space(forms: Sequence[str]) -> WordSpace:
    """Return the word space of the vocabulary's normalised forms (one document each).

    Only the vocabulary counts, never the texts being ranked: a pair's similarity must not depend on
    which other places or participants are in the same call.
    """
    documents = [set(text.split()) for text in forms]
    frequency: dict[str, int] = {}
    for document in documents:
        for word in document:
            frequency[word] = frequency.get(word, 0) + 1
    words = sorted(frequency)
    total = len(documents)
    weight = np.asarray([np.log((total + 1) / (frequency[w] + 1)) + 1.0 for w in words])
    space = word_space_from_arrays(words, weight, sp.csr_matrix((0, len(words))))
    space.form_vectors = text_vectors(space, forms)
    return space


def word_space_from_arrays(words: list[str], weight: np.ndarray, form_vectors: sp.csr_matrix) -> WordSpace:
    """Return the word space of sorted words, their weights and the forms' vectors (a stored build)."""
    fuzzy = [k for k, w in enumerate(words) if len(w) >= MIN_FUZZY_WORD]
    return WordSpace(
        index={word: k for k, word in enumerate(words)},
        words=words,
        weight=weight,
        fuzzy_words=[words[k] for k in fuzzy],
        fuzzy_index=np.asarray(fuzzy, dtype=np.int64),
        fuzzy_length_index=LengthIndex([words[k] for k in fuzzy]),
        matched={},
        extra={},
        form_vectors=form_vectors,
    )


def _match_unknown(space: WordSpace, unknown: list[str]) -> None:
    """Match words the vocabulary does not use to its closest word (cached in the space)."""
    todo = [w for w in unknown if w not in space.matched]
    long_words = [w for w in todo if len(w) >= MIN_FUZZY_WORD]
    found: dict[str, tuple[int, float]] = dict.fromkeys(todo, (-1, 0.0))
    if long_words and space.fuzzy_words:
        rows, cols, scores = similar_pairs(long_words, space.fuzzy_length_index, fuzz.ratio, WORD_CUTOFF)
        # The best word of each, the first on ties (as an argmax over all of them).
        order = np.lexsort((cols, -scores.astype(np.int64), rows))
        rows, cols, scores = rows[order], cols[order], scores[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        for k, col, score in zip(
            rows[first].tolist(), cols[first].tolist(), scores[first].tolist(), strict=True
        ):
            found[long_words[k]] = (int(space.fuzzy_index[col]), score / 100.0)
    space.matched.update(found)


def text_vectors(space: WordSpace, texts: Sequence[str]) -> sp.csr_matrix:
    """Return one unit TF-IDF row per normalised text.

    A word the vocabulary does not use is read as its closest vocabulary word, weighted by the ratio
    (the rest of its weight stays in the norm); a word with no close vocabulary word gets a column of
    its own, weighing as much as the rarest vocabulary word.
    """
    index, weight = space.index, space.weight
    rare = float(weight.max(initial=1.0))
    unknown = [w for text in texts for w in text.split() if w not in index]
    if unknown:
        _match_unknown(space, list(dict.fromkeys(unknown)))
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    norms = np.ones(len(texts))
    matched, extra = space.matched, space.extra
    for row, text in enumerate(texts):
        total = 0.0
        for word in dict.fromkeys(text.split()):
            k = index.get(word)
            if k is not None:
                value = float(weight[k])
            else:
                k, ratio = matched[word]
                if k < 0:
                    # A word the vocabulary does not know: its own column, as rare as the rarest word, so
                    # it counts where both texts use it ("honden wassen" ~ "honden verzorgen").
                    k = extra.setdefault(word, len(space.words) + len(extra))
                    value = rare
                else:
                    value = float(weight[k]) * ratio
                    total += float(weight[k]) ** 2 * (1.0 - ratio * ratio)
            rows.append(row)
            cols.append(k)
            values.append(value)
            total += value * value
        if total > 0:
            norms[row] = np.sqrt(total)
    data = np.asarray(values) / norms[np.asarray(rows, dtype=np.int64)] if rows else np.empty(0)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(space.words) + len(extra)))
    matrix.sum_duplicates()
    return matrix


def graded_pairs(
    space: WordSpace, texts: sp.csr_matrix, others_by_word: sp.csr_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (row of texts, row of others, cosine) for every pair of vectors at or above ``GRADED_MINIMUM``.

    ``others_by_word`` holds the other vectors as columns (words x others, CSR; ``by_word``), prepared once,
    so the product only visits the others that share a word with a text.
    """
    if not texts.shape[0] or not others_by_word.shape[1]:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    if texts.shape[0] <= FEW_TEXTS:
        return _few_graded_pairs(texts, others_by_word)
    # The texts take the others' width: words outside it are words the others do not use.
    if texts.shape[1] != others_by_word.shape[0]:
        texts = texts.copy()
        texts.resize((texts.shape[0], others_by_word.shape[0]))
    product = (texts @ others_by_word).tocoo()
    keep = product.data >= GRADED_MINIMUM - 1e-9
    return (
        product.row[keep].astype(np.int64),
        product.col[keep].astype(np.int64),
        np.minimum(product.data[keep], 1.0),
    )


def _few_graded_pairs(
    texts: sp.csr_matrix, others_by_word: sp.csr_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``graded_pairs`` for a few texts (one participant's) in plain numpy, without sparse-matrix overhead.

    Each text word meets the others that use it; the products of one pair are summed in word order, as
    the sparse product sums them.
    """
    n_words, n_others = others_by_word.shape
    text_rows = np.repeat(np.arange(texts.shape[0], dtype=np.int64), np.diff(texts.indptr))
    words = texts.indices.astype(np.int64)
    inside = words < n_words  # words outside the others' width are words the others do not use
    text_rows, words, values = text_rows[inside], words[inside], texts.data[inside]
    indptr = others_by_word.indptr
    which, at = expand_ranges(indptr[words], indptr[words + 1] - indptr[words])
    key = text_rows[which] * n_others + others_by_word.indices[at]
    products = values[which] * others_by_word.data[at]
    order = np.argsort(key, kind="stable")  # stable: a pair's products stay in word order
    key, products = key[order], products[order]
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else key
    # Summed left to right, ((a + b) + c) as the sparse product does (``np.add.reduceat`` would not).
    lengths = np.diff(np.append(starts, len(key)))
    cosine = products[starts]
    for step in range(1, int(lengths.max(initial=0))):
        more = lengths > step
        cosine[more] += products[starts[more] + step]
    pairs = key[starts]
    keep = cosine >= GRADED_MINIMUM - 1e-9
    pairs = pairs[keep]
    return pairs // n_others, pairs % n_others, np.minimum(cosine[keep], 1.0)


def by_word(vectors: sp.csr_matrix) -> sp.csr_matrix:
    """Return vectors (one per row) as columns of a words x vectors CSR matrix, for ``graded_pairs``."""
    return vectors.T.tocsr()
