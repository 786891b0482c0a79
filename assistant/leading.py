"""Which retrieved document is quoted first.

The top retrieved one, unless one of the next two answers clearly better. Retrieval ranks whole chunks;
a lower-ranked document whose best window is closer to the question, and whose shown part holds more
of the question's words, is the one that answers ("wrong document quoted": the colleague got the top
document's passage and the answer only as a "Zie ook" title). Retrieval order itself (hit@k, MRR) does
not change; the chosen document becomes [1] and "Zie ook" keeps the retrieval order of the others.

Two things the question says outright come first (measured in benchmarks/answers.py):
- the platform ("outlook op de pc", "niet de browser"): a document titled for another platform
  ("Webversie van Outlook: …") goes behind every other retrieved one, and a top document so put behind
  yields to the same article for the question's platform (`lead_platform`, `lead_counterpart`);
- a problem report ("wil ni uploaden", "is verdwenen"): of the first three, the article that
  troubleshoots ("Problemen met het uploaden … oplossen") is quoted first when its lead score is near
  the top's (`lead_trouble`); the how-to article next to it does not answer what went wrong.
"""

from __future__ import annotations

import re

from assistant import platforms
from assistant.asking import reports_problem
from assistant.bm25 import tokenize
from assistant.selection import Part, SelectionOptions, best, choose, numbered, part
from assistant.windows import ScoredWindow


def shared_terms(question: set[str], unit: set[str]) -> float:
    """How many of the question's terms a passage holds; half credit for a Dutch compound ("wachtwoord"
    inside "wachtwoordbeleid")."""
    long_words = [w for w in unit if len(w) >= 5]
    rest = [t for t in question - unit if len(t) >= 5]
    return len(question & unit) + 0.5 * sum(any(w.startswith(t) or t.startswith(w) for w in long_words) for t in rest)


def lead_score(shown: Part, question_terms: set[str], options: SelectionOptions) -> float:
    """How well a document's part answers: its best window's similarity, plus the share of the question's
    terms the shown lines hold (two documents about the same thing differ in the words that matter)."""
    if not question_terms or not options.lead_terms:
        return shown.similarity
    held = set(tokenize(" ".join((shown.heading, *shown.lines))))
    return shown.similarity + options.lead_terms * shared_terms(question_terms, held) / len(question_terms)


def lead(documents: dict[str, list[ScoredWindow]], order: list[str], options: SelectionOptions,
         question: str = "", procedure: bool = False) -> list[str]:
    """`order` with the document to quote first moved to the front: after the platform rule, the
    troubleshooting article for a problem report, else of the first `lead_docs` the one whose lead score
    beats the top document's by more than `lead_margin` the most (else the top one)."""
    order, settled = by_platform(documents, order, question, options)
    if settled:
        return order
    q_terms = set(tokenize(question))
    shown: dict[str, Part] = {}
    for source in order[:max(options.lead_docs, 1)]:
        candidate = part(documents.get(source, []), options, procedure)
        if candidate is not None and candidate.lines:
            shown[source] = candidate
    scores = {source: lead_score(p, q_terms, options) for source, p in shown.items()}
    top = scores.get(order[0]) if order else None
    if top is None:
        return order
    first = _troubleshooter(documents, order, shown, scores, question, options)
    if first is None:
        better = [s for s in order[1:] if s in scores and scores[s] > top + options.lead_margin
                  and not _keeps_steps(documents.get(order[0], []), documents.get(s, []), options, procedure)]
        first = max(better, key=lambda s: scores[s], default=None)
    return order if first is None else [first, *(s for s in order if s != first)]


def by_platform(documents: dict[str, list[ScoredWindow]], order: list[str], question: str,
                options: SelectionOptions) -> tuple[list[str], bool]:
    """The documents whose title is for another platform than the question names ("Webversie van
    Outlook: …" for "outlook op mijn computer, niet de browser") go behind all other retrieved ones: not
    quoted first, nor shown as the second passage while another one is left. Unless every one of the
    first `lead_docs` is: the question's platform is then not among the retrieved. A top document so
    put behind yields to its counterpart (then settled: the lead scores of two articles on different
    topics do not undo it)."""
    if not options.lead_platform or not platforms.names_platform(question):
        return order, False
    other = {s for s in order if documents.get(s) and platforms.other_platform(documents[s][0].chunk.title, question)}
    head = order[:max(options.lead_docs, 1)]
    if not other or all(s in other for s in head):
        return order, False
    kept = [s for s in order if s not in other]
    twin = counterpart(documents, order[0], [s for s in head if s not in other]) \
        if order[0] in other and options.lead_counterpart else None
    if twin is not None:
        kept = [twin, *(s for s in kept if s != twin)]
    return [*kept, *(s for s in order if s in other)], twin is not None


def counterpart(documents: dict[str, list[ScoredWindow]], top: str, candidates: list[str]) -> str | None:
    """The same article for the question's platform: the candidate whose title shares most words with the
    top document's title, platform words aside ("… afwezigheidsberichten verzenden"), at least two."""
    def words(source: str) -> set[str]:
        return set(tokenize(platforms.without_platforms(documents[source][0].chunk.title)))

    mine = words(top)
    shared = {s: len(words(s) & mine) for s in candidates}
    twin = max(candidates, key=lambda s: shared[s], default=None)
    return twin if twin is not None and shared[twin] >= 2 else None


def _troubleshooter(documents: dict[str, list[ScoredWindow]], order: list[str], shown: dict[str, Part],
                    scores: dict[str, float], question: str, options: SelectionOptions) -> str | None:
    """For a problem report, the first of the top documents that troubleshoots (its title, or the heading
    of its shown part, says it solves a problem), when it is not the top one and its lead score is within
    `lead_trouble` of the top's."""
    if options.lead_trouble < 0 or not reports_problem(question):
        return None
    fixes = [s for s in order[:max(options.lead_docs, 1)] if s in shown
             and (_FIXES.search(documents[s][0].chunk.title) or _FIXES.search(shown[s].heading))]
    if not fixes or fixes[0] == order[0] or scores[fixes[0]] < scores[order[0]] - options.lead_trouble:
        return None
    return fixes[0]


def _keeps_steps(top: list[ScoredWindow], other: list[ScoredWindow], options: SelectionOptions,
                 procedure: bool) -> bool:
    """A how-question answered by the top document's numbered steps keeps them first against another
    document's part without steps that is no closer in meaning and only holds more of the question's
    words ("badge"): that is not a better answer to "hoe …"."""
    if not (procedure and options.lead_keeps_steps):
        return False
    closest, rival = best(top), best(other)
    return (closest is not None and rival is not None and rival.similarity <= closest.similarity
            and _has_steps(top, options, procedure) and not _has_steps(other, options, procedure))


def _has_steps(doc: list[ScoredWindow], options: SelectionOptions, procedure: bool) -> bool:
    """The document's shown part holds a numbered procedure."""
    return any(numbered(doc[i]) for i in choose(doc, options, procedure))


# An article that troubleshoots: "Problemen met het uploaden … oplossen", "… een ontbrekende Teams Outlook …".
_FIXES = re.compile(r"\bprobleem|\bproblemen|oplossen|ontbrek|werkt niet|\bfout", re.IGNORECASE)
