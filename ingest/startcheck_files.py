"""Reading corpus/startcheck.yaml against the corpus's tips: for ingest, the tip-batch gate and the web page.

- `load_startcheck(corpus)`: the validated StartCheck (None when the corpus has no start check).
- `startcheck_problem(corpus, docs)`: the Dutch reason ingest reports for a broken file ("" when it is fine).
- `check_text(corpus, text)`: a coach's new text for the file, validated the same way before it is written.
- `retire_conflicts(corpus, retire, files)`: tips a batch may not retire because a start-check path needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.startcheck import FILE_NAME, StartCheck, StartcheckError, TipInfo, parse_startcheck
from ingest.loaders import LoadError, discover, doc_type_for, first_heading, load_yaml, read_text, split_front_matter

if TYPE_CHECKING:
    from ingest.loaders import Document

log = logging.getLogger(__name__)

MAX_BYTES = 256_000  # a real start check is a few kB; anything near this is not one


def tip_catalog(corpus: Path) -> dict[str, TipInfo]:
    """Every readable tip by id (front matter `id`, else the file name). Broken tips are left out: ingest
    reports them itself."""
    found: dict[str, TipInfo] = {}
    for path in discover(Path(corpus)):  # the files ingest reads, so both agree on which tips exist
        if doc_type_for(path.relative_to(corpus)) != "tip":
            continue
        try:
            front, body = split_front_matter(read_text(path))
        except (LoadError, OSError):
            continue
        tip_id = str(front.get("id") or path.stem).strip()
        status = str(front.get("status") or "active").strip().lower()
        title = str(front.get("title") or first_heading(body) or path.stem).strip()
        found.setdefault(tip_id, TipInfo(tip_id, path.relative_to(corpus).as_posix(), title,
                                         str(front.get("app") or ""), status == "active"))
    return found


def catalog_of(docs: Iterable[Document]) -> dict[str, TipInfo]:
    """The same catalog from documents ingest has loaded already."""
    return {d.doc_id: TipInfo(d.doc_id, d.source, d.title, str(d.meta.get("app") or ""), d.active)
            for d in docs if d.doc_type == "tip"}


def _too_big(size: int) -> StartcheckError:
    return StartcheckError([f"Het bestand is te groot ({size // 1000} kB); een startcheck is enkele kB."])


def read_startcheck(path: Path) -> object:
    """The parsed YAML; every read or parse failure becomes a StartcheckError with a Dutch reason."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _too_big(path.stat().st_size)
        return load_yaml(read_text(path), FILE_NAME)
    except LoadError as exc:
        raise StartcheckError([str(exc)]) from exc
    except OSError as exc:
        raise StartcheckError([f"Het bestand kan niet gelezen worden ({exc.strerror or exc})."]) from exc


def check_text(corpus: Path, text: str) -> StartCheck:
    """A new text for startcheck.yaml (a coach's edit), validated against the corpus's tips as ingest would."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise _too_big(len(text.encode("utf-8")))
    try:
        data = load_yaml(text, FILE_NAME)
    except LoadError as exc:
        raise StartcheckError([str(exc)]) from exc
    return parse_startcheck(data, tip_catalog(corpus))


def load_startcheck(corpus: Path, tips: Mapping[str, TipInfo] | None = None) -> StartCheck | None:
    """The corpus's start check, validated against its tips; None when there is no startcheck.yaml."""
    path = Path(corpus) / FILE_NAME
    if not path.exists():
        return None
    data = read_startcheck(path)
    return parse_startcheck(data, tip_catalog(corpus) if tips is None else tips)


def startcheck_problem(corpus: Path, docs: Iterable[Document]) -> str:
    """What ingest reports for startcheck.yaml ("" when the file is fine or absent)."""
    try:
        load_startcheck(corpus, catalog_of(docs))
    except StartcheckError as exc:
        log.warning("%s: %s", FILE_NAME, exc)
        return str(exc)
    return ""


def retire_conflicts(corpus: Path, retire: Iterable[str], files: Mapping[str, Path]) -> dict[str, str]:
    """{where: Dutch reason} for every tip a batch retires (retire.txt, or a tip in the batch with status: retired)
    that the start check still names. A missing or broken start check blocks nothing here: ingest reports it."""
    try:
        check = load_startcheck(corpus)
    except StartcheckError:
        return {}
    if check is None:
        return {}
    by_source = {tip.source: tip.id for tip in check.tips.values()}
    retiring = {rel: "retire.txt" for rel in retire}
    for rel, path in files.items():
        if rel.startswith("tips/") and _retired_in_batch(path):
            retiring[rel] = rel
    uses = check.uses()
    problems = {}
    for rel, where in sorted(retiring.items()):
        tip_id = by_source.get(rel)
        if tip_id in uses:
            problems[f"{where}: {rel}" if where != rel else rel] = (
                f"Deze tip kan niet ingetrokken worden: de startcheck ({FILE_NAME}) heeft hem nodig bij "
                f"{', '.join(uses[tip_id])}. Vervang hem daar eerst door een andere tip.")
    return problems


def _retired_in_batch(path: Path) -> bool:
    try:
        front, _ = split_front_matter(read_text(path))
    except (LoadError, OSError):
        return False  # read_batch reports the broken file itself
    return str(front.get("status") or "").strip().lower() == "retired"
