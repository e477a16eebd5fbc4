"""Graded similarity between skill texts: soft TF-IDF over words, with typo-tolerant word matching.

Two normalised skill texts are compared as vectors of their words, each word weighted by how rare it
is among the vocabulary's forms and the requirement texts seen (inverse document frequency), so shared
informative words count and common ones ("medewerker", "rijden") count little. A participant's word
that no requirement or vocabulary form uses is matched to its closest known word when ``fuzz.ratio``
reaches ``WORD_CUTOFF`` and the word is long enough (``heftruk`` -> ``heftruck``; ``las`` never becomes
``glas``), weighted by that ratio. The similarity is the cosine of both vectors, kept from
``GRADED_MINIMUM``: ``heftruck`` against ``heftruck instructeur lesgever`` stays below it, while
``honden wassen`` against ``honden verzorgen`` gets partial credit. See docs/matching.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process

#: A participant's unknown word is read as a known word from this ratio on (0-100).
WORD_CUTOFF = 85.0
#: Words shorter than this are only matched exactly (short substrings must not score high).
MIN_FUZZY_WORD = 5
#: Cosines below this give no credit.
GRADED_MINIMUM = 0.5


@dataclass
class WordSpace:
    """Known words, their weights and the unit vectors of the requirement texts."""

    index: dict[str, int]
    words: list[str]
    weight: np.ndarray
    fuzzy_words: list[str]
    fuzzy_index: np.ndarray
    requirement_vectors: sp.csr_matrix
    matched: dict[str, tuple[int, float]]


def build_word_space(vocabulary_texts: Iterable[str], requirement_texts: Sequence[str]) -> WordSpace:
    """Return the word space of the vocabulary forms and requirement texts (normalised)."""
    documents = [set(text.split()) for text in vocabulary_texts]
    documents += [set(text.split()) for text in requirement_texts]
    frequency: dict[str, int] = {}
    for words in documents:
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    words = sorted(frequency)
    index = {word: k for k, word in enumerate(words)}
    total = len(documents)
    weight = np.asarray([np.log((total + 1) / (frequency[w] + 1)) + 1.0 for w in words])
    fuzzy = [k for k, w in enumerate(words) if len(w) >= MIN_FUZZY_WORD]
    space = WordSpace(
        index=index,
        words=words,
        weight=weight,
        fuzzy_words=[words[k] for k in fuzzy],
        fuzzy_index=np.asarray(fuzzy, dtype=np.int64),
        requirement_vectors=sp.csr_matrix((0, len(words))),
        matched={},
    )
    space.requirement_vectors = text_vectors(space, requirement_texts)
    return space


def _match_unknown(space: WordSpace, unknown: list[str]) -> None:
    """Match words the space does not know to their closest known word (cached in the space)."""
    todo = [w for w in unknown if w not in space.matched]
    long_words = [w for w in todo if len(w) >= MIN_FUZZY_WORD]
    for w in todo:
        space.matched[w] = (-1, 0.0)
    if not long_words or not space.fuzzy_words:
        return
    scores = process.cdist(
        long_words, space.fuzzy_words, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, dtype=np.uint8, workers=-1
    )
    best = scores.argmax(axis=1)
    best_score = scores[np.arange(len(long_words)), best]
    for word, k, score in zip(long_words, best.tolist(), best_score.tolist(), strict=True):
        if score > 0:
            space.matched[word] = (int(space.fuzzy_index[k]), score / 100.0)


def text_vectors(space: WordSpace, texts: Sequence[str]) -> sp.csr_matrix:
    """Return one unit TF-IDF row per normalised text (unknown words weigh as the rarest known word)."""
    index, weight = space.index, space.weight
    rare = float(weight.max(initial=1.0))
    unknown = [w for text in texts for w in text.split() if w not in index]
    if unknown:
        _match_unknown(space, list(dict.fromkeys(unknown)))
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    norms = np.zeros(len(texts))
    for row, text in enumerate(texts):
        total = 0.0
        for word in dict.fromkeys(text.split()):
            k = index.get(word)
            if k is not None:
                value = float(weight[k])
            else:
                k, ratio = space.matched.get(word, (-1, 0.0))
                if k >= 0:
                    value = float(weight[k]) * ratio
                    total += float(weight[k]) ** 2 * (1.0 - ratio * ratio)  # the typo costs its share
                else:
                    total += rare * rare  # a word nothing else has: only lowers the cosine
                    continue
            rows.append(row)
            cols.append(k)
            values.append(value)
            total += value * value
        norms[row] = np.sqrt(total) if total > 0 else 1.0
    data = np.asarray(values) / norms[np.asarray(rows, dtype=np.int64)] if rows else np.empty(0)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(space.words)))
    matrix.sum_duplicates()
    return matrix


def graded_pairs(space: WordSpace, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (text, requirement text, cosine) for every pair at or above ``GRADED_MINIMUM``."""
    if not len(texts) or space.requirement_vectors.shape[0] == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    product = (text_vectors(space, texts) @ space.requirement_vectors.T).tocoo()
    keep = product.data >= GRADED_MINIMUM - 1e-9
    return (
        product.row[keep].astype(np.int64),
        product.col[keep].astype(np.int64),
        np.minimum(product.data[keep], 1.0),
    )
