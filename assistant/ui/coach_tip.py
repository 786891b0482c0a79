"""The 'Van antwoord naar tip' tab: a coach's answer (or a 👎 answer from the Feedback tab) becomes a tip, in the
next tip batch (tested by the gate before it goes live) or straight in the corpus, and its question an eval case.

Sources are 'vraag-<id>' (an answered escalation) or 'feedback-<id>'. Saving the same source again replaces the
tip it wrote: a double click writes one tip.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.types import strip_citations
from assistant.ui import coach_render
from assistant.ui.login import coach_of
from assistant.ui.render import box
from assistant.ui.services import Services
from ingest import catalog, corpus_files
from ingest.corpus_files import CorpusError, TipDraft

log = logging.getLogger(__name__)

NEXT_INDEX = " Klik op 'Index bijwerken' in het tabblad Corpus om hem doorzoekbaar te maken."
WHERE = [("In de volgende batch (eerst getest, dan gepubliceerd)", "batch"), ("Meteen in het corpus", "corpus")]


@dataclass(frozen=True)
class TipSource:
    key: str  # 'vraag-12' or 'feedback-5': the tip's origin
    case_prefix: str  # the eval case id: esc-12 or fb-5
    id: int
    question: str
    answer: str
    department: str
    top_source: str  # the best source the assistant had, for the app field


class TipTab:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.records = services.records

    def source(self, key: Any) -> TipSource | None:
        kind, _, raw = (f"vraag-{key}" if isinstance(key, int) else str(key or "")).partition("-")
        if not raw.isdigit():
            return None
        if kind == "vraag":
            e = self.records.get(int(raw))
            if e is None or not e.answer:
                return None
            top = str(e.sources[0].get("source", "")) if e.sources else ""
            return TipSource(f"vraag-{e.id}", "esc", e.id, e.question, e.answer, e.department, top)
        if kind == "feedback":
            f = self.records.feedback(int(raw))
            if f is None:
                return None
            answer = strip_citations(f.answer.split("\nZie ook:")[0]).strip()
            return TipSource(f"feedback-{f.id}", "fb", f.id, f.question, answer, f.department, "")
        return None

    def choices(self, extra: str = "") -> list[tuple[str, str]]:
        names = {d.id: d.name for d in self.services.directory.departments()}
        answered = [e for e in self.services.triage.without_spam(self.records.escalations()) if e.answer]
        items = [(coach_render.choice_label(e, names), f"vraag-{e.id}") for e in reversed(answered)]
        found = self.source(extra) if extra.startswith("feedback-") else None
        if found is not None:
            label = coach_render.dept_name(names, found.department) if found.department else "–"
            items.insert(0, (f"👎 feedback #{found.id} · {label} · {found.question[:80]}", found.key))
        return items

    # -- handlers -----------------------------------------------------------------------------------------
    def answered(self, current: Any, request: gr.Request) -> Any:
        """The pick list, keeping the chosen source: opening the tab (also from the Feedback tab, which has just
        chosen a 👎 answer) must not empty the form's source."""
        coach_of(request)
        key = str(current or "")
        choices = self.choices(key)
        return gr.update(choices=choices, value=key if any(value == key for _, value in choices) else None)

    def load_tip(self, key: Any, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        found = self.source(key)
        if found is None:
            return "", "", "", None, "", box("Kies een beantwoorde vraag.", "notice")
        row = catalog.describe(self.settings, self.settings.corpus_dir / found.top_source) if found.top_source \
            else None
        title = " ".join(found.question.split()).rstrip("?").strip()
        title = (title[:1].upper() + title[1:])[:90]
        dept = self.services.directory.get(found.department)
        return (title, row.app if row else "", row.app.lower() if row and row.app else "", dept.id if dept else None,
                found.answer, box("Pas de tip aan waar nodig en klik op 'Tip opslaan'.", "notice"))

    def from_feedback(self, feedback_id: Any, request: gr.Request) -> tuple[Any, ...]:
        """The Feedback tab's 'Maak er een tip van': this tab, with the feedback's question and answer loaded."""
        key = f"feedback-{feedback_id}"
        loaded = self.load_tip(key, request)
        return (gr.Tabs(selected="tip"), gr.update(choices=self.choices(key), value=key), *loaded)

    def save_tip(self, key: Any, title: str, app: str, tags: str, dept: str | None, body: str,
                 request: gr.Request, where: str = "corpus") -> str:
        coach = coach_of(request)
        found = self.source(key)
        if found is None:
            return box("Kies eerst de vraag waarop de tip gebaseerd is.", "notice")
        batch = self.settings.data_dir / "batch" if where == "batch" else None
        draft = TipDraft(title or "", app or "", tags or "", dept or "", body or "", origin=found.key)
        try:
            saved = corpus_files.write_tip(self.settings, draft, coach, batch_dir=batch)
        except CorpusError as exc:
            return box(str(exc), "error")
        # Spam never becomes an eval case: the gate would guard a question nobody asked in earnest.
        spam = found.case_prefix == "esc" and self.services.triage.is_spam(found.id)
        added = not spam and corpus_files.add_escalation_case(self.settings.escalation_evals_file, found.id,
                                                              found.question, saved.rel, found.department, coach,
                                                              prefix=found.case_prefix)
        if found.case_prefix == "fb":
            self.records.handle_feedback(found.id, coach, f"tip {saved.rel}")
        extra = " De vraag staat nu ook in de evaluatieset." if added else ""
        done = f"Tip {saved.rel} bijgewerkt (dezelfde vraag: geen tweede tip)" if saved.updated else \
            f"Tip opgeslagen als {saved.rel}"
        if batch is not None:
            return box(f"{done}, in de volgende batch.{extra} Publiceer hem via Corpus › Batch publiceren: hij gaat "
                       "pas live als de antwoorden er niet slechter van worden.", "ok")
        return box(f"{done}.{extra}{NEXT_INDEX}", "ok")

    # -- layout -------------------------------------------------------------------------------------------
    def tab(self, tab: gr.Tab, departments: list[tuple[str, str]]) -> dict[str, Any]:
        t: dict[str, Any] = {}
        with gr.Row():
            t["pick"] = gr.Dropdown([], value=None, label="Beantwoorde vraag", scale=4, elem_id="dh-tip-bron")
            refresh = gr.Button("Vernieuwen", size="sm", scale=0)
        t["title"] = gr.Textbox(label="Titel van de tip", max_length=160, elem_id="dh-tip-titel")
        with gr.Row():
            t["app"] = gr.Textbox(label="App (bv. Outlook, Teams, Printen)", max_length=60, elem_id="dh-tip-app")
            t["tags"] = gr.Textbox(label="Trefwoorden, gescheiden door komma's", max_length=300)
            t["dept"] = gr.Dropdown(departments, value=None, label="Dienst", elem_id="dh-tip-dienst")
        t["body"] = gr.Textbox(label="Tekst van de tip (markdown)", lines=12, max_length=20_000, elem_id="dh-tip-tekst")
        t["where"] = gr.Radio(WHERE, value="batch", label="Waar komt de tip?", elem_id="dh-tip-waar")
        save = gr.Button("Tip opslaan", variant="primary", elem_id="dh-tip-opslaan")
        t["msg"] = gr.HTML("", elem_id="dh-tip-msg")
        for event in (tab.select, refresh.click):
            event(self.answered, t["pick"], t["pick"], api_visibility="private")
        form = [t["title"], t["app"], t["tags"], t["dept"], t["body"], t["msg"]]
        t["pick"].input(self.load_tip, t["pick"], form, api_visibility="private")
        # One save at a time per page: a double click queues, and the second save replaces the first tip.
        save.click(self.save_tip, [t["pick"], *form[:-1], t["where"]], t["msg"], api_visibility="private",
                   concurrency_limit=1, concurrency_id="tip-save")
        t["form"] = form
        return t
