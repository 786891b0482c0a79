"""Which retrieved document is quoted first.

The top retrieved one, unless one of the next two answers clearly better. Retrieval ranks whole chunks;
a lower-ranked document whose best window is closer to the question, and whose shown part holds more
of the question's words, is the one that answers ("wrong document quoted": the colleague got the top
document's passage and the answer only as a "Zie ook" title). Retrieval order itself (hit@k, MRR) does
not change; the chosen document becomes [1] and "Zie ook" keeps the retrieval order of the others.
"""

from __future__ import annotations

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
    """`order` with the document to quote first moved to the front: of the first `lead_docs`, the one
    whose lead score beats the top document's by more than `lead_margin` the most (else the top one)."""
    q_terms = set(tokenize(question))
    scores: dict[str, float] = {}
    for source in order[:max(options.lead_docs, 1)]:
        shown = part(documents.get(source, []), options, procedure)
        if shown is not None and shown.lines:
            scores[source] = lead_score(shown, q_terms, options)
    top = scores.get(order[0]) if order else None
    if top is None:
        return order
    better = [s for s in order[1:] if s in scores and scores[s] > top + options.lead_margin
              and not _keeps_steps(documents.get(order[0], []), documents.get(s, []), options, procedure)]
    if not better:
        return order
    first = max(better, key=lambda s: scores[s])
    return [first, *(s for s in order if s != first)]


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
