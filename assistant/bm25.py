"""Okapi BM25 over the live chunks with Dutch stemming and stop words (pure Python, in memory)."""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence

import snowballstemmer

WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)

# Dutch function words plus chat filler ("ik", "ni", "da") that says nothing about the topic.
STOP_WORDS = frozenset(
    """
    aan af al alle alles als alsof altijd andere ben bij daar daarna dan dat de den der deze die dit doch doe
    doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand
    iets ik in is ja je jij jou jouw jullie kan kon kunnen maar me meer men met mij mijn moet moeten na naar
    nee niet niets nog nu of om omdat ons onze ook op over reeds te tegen toch toen tot u uit uw van veel voor
    want waren was wat we wel welk welke werd wie wij wil wilt worden wordt zal ze zei zelf zich zij zijn zo
    zonder zou zouden da ni nie 't hé allee eh euh es ne nen mag moogt kunt zit staat gaan gaat precies
    eigenlijk even graag iemand waarom wanneer waar hoe hoeveel krijg krijgen the a an to of is it how do i my
    can what le la les de des un une est je mon ma comment
    """.split()  # noqa: SIM905
)


_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    # One per thread: a Snowball stemmer keeps the word it is working on in itself, so two request threads
    # sharing one corrupt each other's words (IndexError in the stemmer under concurrent questions).
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("dutch")
    return stemmer


def _fold(text: str) -> str:
    # "geïnstalleerd" and "geinstalleerd" must meet: colleagues rarely type the diaeresis.
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    words = [w for w in WORD.findall(_fold(text)) if w not in STOP_WORDS and len(w) > 1]
    return list(_stemmer().stemWords(words))


class BM25:
    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._tfs = [Counter(tokenize(doc)) for doc in documents]
        self._lengths = [sum(tf.values()) for tf in self._tfs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self._tfs):
            for term in tf:
                postings.setdefault(term, []).append(i)
        self._postings = postings
        n = len(documents)
        self._idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        self._vocabulary = sorted(postings)

    def __len__(self) -> int:
        return len(self._tfs)

    def scores(self, query: str) -> dict[int, float]:
        """Document index -> score, only for documents that share a term with the query."""
        out: dict[int, float] = {}
        for term in set(tokenize(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for i in self._postings[term]:
                tf = self._tfs[i][term]
                norm = tf + self.k1 * (1 - self.b + self.b * self._lengths[i] / (self._avg or 1.0))
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1) / norm
        return out

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        ranked = sorted(self.scores(query).items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:n]

    def idf(self, term: str) -> float:
        """IDF of a stemmed term; a term the corpus never uses weighs as much as the rarest one."""
        return self._idf.get(term, max(self._idf.values(), default=1.0))

    def known(self, term: str, min_len: int = 5) -> bool:
        """The corpus uses this stem, a compound that starts with it, or a word it starts or ends with
        ("teamsvergadering" is known through "vergader")."""
        if term in self._idf:
            return True
        if len(term) >= min_len:
            at = bisect.bisect_left(self._vocabulary, term)
            if at < len(self._vocabulary) and self._vocabulary[at].startswith(term):
                return True
        return any(term[:k] in self._idf or term[-k:] in self._idf for k in range(min_len, len(term)))
