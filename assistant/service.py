"""The composition root: build_assistant(settings) and Assistant.ask()."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant import answerability
from assistant.answerability import SHIPPED
from assistant.answering import Draft, compose_extractive, quoted_part
from assistant.config import Settings
from assistant.embedding import EmbeddingModel
from assistant.errors import DigihulpError, IndexProblem, StorageError, explain
from assistant.escalation import CoachDirectory, Route, mask_pii
from assistant.intake import Intake, Outcome, Request, merged_notice, over_limit_notice
from assistant.mail import Mailer
from assistant.quantities import capped
from assistant.question import clean_question
from assistant.ratelimit import Client
from assistant.records import EscalationStore
from assistant.referral import Referrals, greeting_reply, refer
from assistant.retrieval import Retrieved, Retriever
from assistant.store import ChromaStore
from assistant.types import Answer, Band
from assistant.windows import ScoredWindow

log = logging.getLogger(__name__)

NOT_SURE = "Hierover vind ik geen betrouwbaar antwoord in onze tips en handleidingen."
ASKED_COACH = "Je vraag is doorgegeven aan je digicoach."
UNSURE = "Ik ben niet zeker dat dit je vraag beantwoordt."  # shown above an answer in the "unsure" band
ASK_COACH = "Vraag het aan je digicoach"


class Assistant:
    def __init__(self, settings: Settings, embedder: EmbeddingModel, store: ChromaStore,
                 directory: CoachDirectory, records: EscalationStore, mailer: Mailer | None = None,
                 llm: Any = None, model_check: Callable[[], str] | None = None, intake: Intake | None = None,
                 referrals: Referrals | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.directory = directory
        self.records = records
        self.mailer = mailer
        self.llm = llm
        # The installed model's files ("" = complete). Only for a model this assistant loaded itself.
        self.model_check = model_check
        self.referrals = referrals
        self.retriever = Retriever(settings, store, embedder.name, embedder.dimension)
        # Without one passed in: no limits, no duplicate merging, no mail throttling (tests, tools).
        self.intake = intake or Intake(directory, records, mailer=mailer)

    def retrieve(self, question: str) -> Retrieved:
        """Embed the question once and search; used by ask() and by the evals/benchmarks."""
        vector = self.embedder.embed_query(question)
        return self.retriever.search(question, vector)

    def ask(self, question: str, department: str | None = None, *, escalate: bool = False,
            asker_name: str = "", asker_contact: str = "", client: Client | None = None) -> Answer:
        """`client` (browser token, address) is whom the escalation limits count; None = the command line."""
        cleaned = clean_question(question, self.settings.max_question_chars)
        if cleaned.refused:
            return Answer(question=cleaned.text, text="", citations=(), confidence=0.0, notice=cleaned.notice)
        greeting = "" if escalate else greeting_reply(cleaned.text)
        if greeting:
            return Answer(question=cleaned.text, text=greeting, citations=(), confidence=0.0, band="greeting")
        found = self.retrieve(cleaned.text)  # the question is embedded once: search, windows, duplicates
        windows = self.scored_windows(found)
        draft, notice = self._draft(cleaned.text, found, windows)
        shown = quoted_part(draft.text)
        evidence = self.retriever.evidence(cleaned.text, found, windows, shown)
        score = SHIPPED.probability(evidence)
        band = self.band(cleaned.text, score, shown)
        log.debug("answerability %.3f (%s): %s", score, band, evidence)
        answer = Answer(
            question=cleaned.text, text=draft.text, citations=draft.citations, confidence=score,
            notice=" ".join(filter(None, (cleaned.notice, notice))),
            retrieved=tuple(found.documents[:20]), band=band if draft.text else "escalated", vector=found.vector,
        )
        referral = None if escalate or self.referrals is None else self.referrals.match(found.vector, found.best_dense)
        if referral is not None:
            answer = refer(answer, referral)
        elif escalate or answer.band == "escalated":
            try:
                answer = self._escalate(answer, draft, department, asker_name, asker_contact, by_request=escalate,
                                        client=client)
            except StorageError as exc:  # never acknowledge an escalation that was not stored
                answer = self._not_passed_on(answer, department, exc)
        self._log(answer, department, found.vector)
        return answer

    def band(self, question: str, score: float, shown: str) -> Band:
        """The score's band, lowered when the question asks for a quantity the shown text (the answer's quoted
        part) does not state (Settings.quantity_check)."""
        band = answerability.band(score, self.settings.confidence_threshold, self.settings.unsure_threshold)
        lowered = capped(band, question, shown, self.settings.quantity_check)
        if lowered != band:
            log.debug("asks for a quantity the answer does not state: %s instead of %s", lowered, band)
        return lowered

    def scored_windows(self, found: Retrieved) -> dict[str, list[ScoredWindow]] | None:
        """Each retrieved document's windows, in reading order, with their similarity to the question
        (None: the passage is chosen by shared words, as before windows)."""
        if self.settings.passage_selector == "words" or found.vector is None:
            return None
        sources = list(dict.fromkeys(hit.chunk.source for hit in found.hits))
        return self.retriever.windows.score_documents(found.vector, sources)

    def _draft(self, question: str, found: Retrieved,
               windows: dict[str, list[ScoredWindow]] | None) -> tuple[Draft, str]:
        extractive = compose_extractive(question, found.hits, windows=windows)
        if self.llm is not None and found.hits:
            try:
                # The model reads the same passages the extractive answer quotes, not whole chunks.
                generated = self.llm.answer(question, list(extractive.citations))
                if generated is not None:
                    return generated, ""
            except DigihulpError as exc:
                return extractive, str(exc)
        return extractive, ""

    def escalate(self, answer: Answer, department: str | None, asker_name: str = "",
                 asker_contact: str = "", client: Client | None = None) -> Answer:
        """The colleague pressed 'Vraag het aan mijn digicoach' under an answer they already got; from the
        "niet zeker" band the escalation says so, and carries the answer that was shown."""
        # A referral's pointer is no draft for the coach: they start from the question.
        text = "" if answer.band == "referred" else answer.text
        draft = Draft(text=text, citations=answer.citations, coverage=0.0, answerer="extractive")
        return self._escalate(answer, draft, department, asker_name, asker_contact, by_request=True, client=client)

    def _escalate(self, answer: Answer, draft: Draft, department: str | None, asker_name: str,
                  asker_contact: str, by_request: bool, client: Client | None = None) -> Answer:
        outcome = self.intake.pass_on(Request(
            question=answer.question, department=department, sources=[c.to_dict() for c in draft.citations],
            draft=draft.text, confidence=answer.confidence, asker_name=asker_name, asker_contact=asker_contact,
            vector=answer.vector, client=client,
            shown_unsure=by_request and answer.band == "unsure" and not answer.escalated))
        if outcome.refused is not None or outcome.merged is not None:
            return self._not_new(answer, outcome, by_request)
        route, escalation_id = outcome.route, outcome.escalation_id
        lead = ASKED_COACH if by_request else NOT_SURE
        text = f"{lead} {route.message()}"
        if by_request and answer.text:
            text = answer.text  # keep what they already read; the notice says who picks it up
        return replace(answer, text=text, citations=answer.citations if by_request else (),
                       escalated=True, band="escalated", escalation_id=escalation_id, coach=route.coach.name,
                       notice=" ".join(filter(None, (answer.notice, route.message() if by_request else ""))))

    def answer_escalation(self, escalation_id: int, text: str, coach: str, link: str = "") -> bool:
        """The coach's answer, stored, and mailed to the colleague when they left an e-mail address. True = mailed."""
        self.records.answer(escalation_id, text, coach)
        return self._tell_colleague(escalation_id, link)

    def close_escalation(self, escalation_id: int, note: str, link: str = "") -> bool:
        """Closed without an answer; a closing note is mailed like an answer. True = mailed."""
        self.records.close(escalation_id, note)
        return bool(note.strip()) and self._tell_colleague(escalation_id, link)

    def _tell_colleague(self, escalation_id: int, link: str) -> bool:
        escalation = self.records.get(escalation_id)
        return bool(self.mailer and escalation and self.mailer.send_outcome(escalation, link))

    def forward(self, question: str, department: str | None, draft: str) -> tuple[int, Route]:
        """A coach passes a question on (a 👎 answer from the Feedback tab) to the digicoach of `department`:
        stored and mailed like an escalation, without the per-client limits and merging colleagues have."""
        route = self.directory.route(department)
        escalation_id = self.records.create(question=question, department=department or "", route=route,
                                            sources=[], draft=draft, confidence=0.0)
        self.intake.mail(escalation_id)
        return escalation_id, route

    def _not_new(self, answer: Answer, outcome: Outcome, by_request: bool) -> Answer:
        """Over the limit, or a repeat of an open escalation: the answer stays, the notice says why."""
        keep = by_request and bool(answer.text)
        answer = replace(answer, text=answer.text if keep else NOT_SURE, citations=answer.citations if keep else ())
        if outcome.merged is not None:
            notice = merged_notice(outcome.merged, outcome.repeats)
            answer = replace(answer, escalated=True, escalation_id=outcome.merged.id, coach=outcome.merged.coach_name)
        else:
            notice = over_limit_notice(outcome.route.coach, outcome.refused)
        return replace(answer, notice=" ".join(filter(None, (answer.notice, notice))))

    def _not_passed_on(self, answer: Answer, department: str | None, exc: StorageError) -> Answer:
        log.error("Escalation not stored: %s", exc)
        coach = self.directory.route(department).coach
        notice = (f"Ik kon je vraag nu niet doorgeven aan je digicoach (technisch probleem). Contacteer "
                  f"{coach.name} rechtstreeks via {coach.email}.")
        return replace(answer, text=NOT_SURE, citations=(), escalated=False, band="escalated",
                       notice=" ".join(filter(None, (answer.notice, notice))))

    def _log(self, answer: Answer, department: str | None, vector: np.ndarray | None = None) -> None:
        try:
            self.records.log_question(
                answer.question, department, answer.confidence, answer.escalated,
                band=answer.band,
                cited=[c.source for c in answer.citations],
                top_source=answer.retrieved[0][0] if answer.retrieved else "",
                vector=self._logged_vector(answer.question, vector))
        except Exception:  # analytics must never cost a colleague their answer
            log.exception("Could not log question")

    def _logged_vector(self, question: str, vector: np.ndarray | None) -> np.ndarray | None:
        """The vector kept with the masked log entry: the query vector itself, unless masking changed the text
        (an e-mail or phone number in the question); only then is the masked text embedded, once."""
        if vector is None or mask_pii(question) == question:
            return vector
        return self.embedder.embed_query(mask_pii(question))

    def health(self) -> dict[str, Any]:
        """Each part's state for monitoring; "ok" or a Dutch reason. `status` sums it up (see docs/operations.md)."""
        problem = self.model_check() if self.model_check is not None else ""
        status: dict[str, Any] = {"model": self.embedder.name, "model_status": f"fout: {problem}" if problem else "ok"}
        try:
            info = self.store.require_live(self.embedder.name, self.embedder.dimension)
            status["index"], status["chunks"] = "ok", info.count
        except DigihulpError as exc:
            status["index"], status["chunks"] = f"fout: {exc}", 0
        try:
            self.records.recent_questions(limit=1)
            status["database"] = "ok"
        except DigihulpError as exc:
            status["database"] = f"fout: {exc}"
        status.update(disk_status(self.settings.data_dir))
        status["llm"] = "uit" if self.llm is None else ("ok" if self.llm.ping() else "onbereikbaar")
        core = all(status[k] == "ok" for k in ("index", "database", "schijf"))
        # The model in memory keeps answering when its files break; only the next start would fail.
        degraded = status["llm"] == "onbereikbaar" or problem
        status["status"] = ("beperkt" if degraded else "ok") if core else "problemen"
        return status


def disk_status(data_dir: Path, min_free_mb: int = 200) -> dict[str, Any]:
    """Can we still write to the data dir, and is there room? A probe file, because root ignores modes."""
    probe = data_dir / ".health-probe"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
        free_mb = shutil.disk_usage(data_dir).free // 1_000_000
    except OSError as exc:
        return {"schijf": f"fout: {explain(exc)}", "vrij_mb": None}
    if free_mb < min_free_mb:
        return {"schijf": f"bijna vol: nog {free_mb} MB vrij in {data_dir}", "vrij_mb": free_mb}
    return {"schijf": "ok", "vrij_mb": free_mb}


def model_problem(model_dir: Path) -> str:
    """The quick check of the installed model ("" when complete), the verdict every entry point gives."""
    from assistant.model import inspect_install

    return inspect_install(model_dir).message()


def build_assistant(settings: Settings, embedder: EmbeddingModel | None = None,
                    store: ChromaStore | None = None) -> Assistant:
    """Wire every part from Settings. The embedder can be passed in so one model serves many; a
    store can be passed in to read a staged generation (the tip-batch gate)."""
    from assistant.llm import LLMAnswerer

    model_check = None
    if embedder is None:
        from functools import partial

        from assistant.model import load_embedder

        embedder = load_embedder(settings)
        model_check = partial(model_problem, settings.model_dir)
        if settings.query_workers >= 0:
            from assistant.batching import QueryBatcher

            workers = settings.query_workers or os.cpu_count() or 1
            embedder = QueryBatcher(embedder, workers=workers, max_batch=settings.query_batch_max)
    if not settings.coaches_file.is_file():
        raise IndexProblem(f"Het bestand met digicoaches ontbreekt: {settings.coaches_file}")
    directory, records = CoachDirectory.load(settings.coaches_file), EscalationStore(settings.db_path)
    mailer = Mailer.from_settings(settings)
    return Assistant(
        settings=settings,
        embedder=embedder,
        store=store or ChromaStore(settings),
        directory=directory,
        records=records,
        mailer=mailer,
        llm=LLMAnswerer.from_settings(settings),
        model_check=model_check,
        referrals=Referrals(settings.referrals_file, embedder, settings.referral_margin,
                            settings.referral_min_similarity),
        intake=Intake.from_settings(settings, directory, records, mailer),
    )
