"""Words for lexical recall: a tokenizer and an incremental BM25 index.

Why not ``rank_bm25``/``bm25s``: memory indexes change on every turn (a message arrives, a
memory is deleted) and both libraries only build static indexes. This one keeps postings per
term, so adding or removing a document costs its own length, and a query touches only the
postings of its terms (well under a millisecond for a user's few thousand documents).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import numpy.typing as npt

__all__ = ["BM25Index", "content_words", "tokens"]

_WORD = re.compile(r"[a-z0-9]+")
# Function words carry no topic; names and content words are kept.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at for with by from as is are was were be been being
    do does did done have has had having i you he she it we they me him her us them my your his
    its our their mine yours this that these those what which who whom whose when where why how
    about into over than then so just also very can could would should will shall may might must
    not no yes hey oh wow really too all any some there here up out im i'm ive youre it's thats
    am let lets get got go going gonna like yeah ok okay well much many more most such own same
    other each few both only now ever even still again once s t d ll re ve m""".split()
)
_SUFFIXES = ("ing", "ed", "es", "s")


def _stem(word: str) -> str:
    """A light suffix strip (paint/painted/painting → paint); enough for conversational text."""
    for suffix in _SUFFIXES:
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, stop words dropped, lightly stemmed."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def content_words(text: str) -> set[str]:
    return set(tokens(text))


class BM25Index:
    """Okapi BM25 over documents identified by small integers, with add and remove."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._postings: dict[str, dict[int, int]] = {}
        self._lengths: dict[int, int] = {}
        self._words: dict[int, list[str]] = {}
        self._total = 0

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, doc: int, text: str) -> None:
        if doc in self._lengths:
            self.remove(doc)
        words = tokens(text)
        self._lengths[doc] = len(words)
        self._total += len(words)
        counts = Counter(words)
        self._words[doc] = list(counts)
        for word, count in counts.items():
            self._postings.setdefault(word, {})[doc] = count

    def remove(self, doc: int) -> None:
        length = self._lengths.pop(doc, None)
        if length is None:
            return
        self._total -= length
        for word in self._words.pop(doc, ()):
            posting = self._postings[word]
            posting.pop(doc, None)
            if not posting:
                del self._postings[word]

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every document sharing at least one term with ``query``."""
        size = max(self._lengths, default=-1) + 1
        array = self.score_array(query, size)
        return {int(d): float(array[d]) for d in np.flatnonzero(array)}

    def score_array(self, query: str, size: int) -> npt.NDArray[np.float64]:
        """The scores as an array indexed by document id (0 where no term matches).

        Vectorised per term: a common word's postings cost one NumPy pass, not a Python loop.
        """
        out = np.zeros(size, dtype=np.float64)
        n = len(self._lengths)
        if n == 0:
            return out
        avg = self._total / n or 1.0
        k1, b = self.k1, self.b
        for word in set(tokens(query)):
            posting = self._postings.get(word)
            if not posting:
                continue
            idf = math.log(1.0 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            docs = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tf = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
            lengths = np.fromiter(
                (self._lengths[d] for d in posting), dtype=np.float64, count=len(posting)
            )
            norm = k1 * (1.0 - b + b * lengths / avg)
            np.add.at(out, docs, idf * tf * (k1 + 1.0) / (tf + norm))
        return out
