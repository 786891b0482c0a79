"""The chat page's components and wiring: what the colleague sees, top to bottom, and which handler of ChatPage
each control calls. Handlers live in `chat.py`; this module only places and connects them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import gradio as gr

Handler = Callable[..., tuple[Any, ...]]

HEADER = """<div style="margin-bottom:.3em"><h1 style="margin:0">digihulp</h1>
<p style="margin:.2em 0 0 0">Stel je vraag over Outlook, Teams, printen, aanmelden, ... Ik zoek het antwoord in de tips
en handleidingen van de digicoaches. Weet ik het niet zeker, dan geef ik je vraag door aan je digicoach.</p>
<p style="margin:.4em 0 0 0"><a href="/start" id="dh-startcheck">Nieuw bij de stad? Doe de startcheck</a></p></div>"""
# What Gradio's components cannot be told: the Dropdown has no placeholder, so the empty picker says what to do
# (and keeps saying it after a reload); and gr.HTML takes no attributes, so the answer's summary (#dh-live) and the
# status lines become polite live regions here, present before the first answer so that screen readers announce
# each new answer and "Je vraag is doorgegeven aan ..." (WCAG 4.1.3).
PAGE_JS = """() => {
  const set = () => { const i = document.querySelector('#dh-dienst input');
    if (i && !i.placeholder) { i.placeholder = 'Kies je dienst'; }
    for (const id of ['dh-live', 'dh-status', 'dh-contact-status']) {
      const live = document.getElementById(id);
      if (live && live.getAttribute('aria-live') !== 'polite') {
        live.setAttribute('role', 'status'); live.setAttribute('aria-live', 'polite'); } } };
  set(); new MutationObserver(set).observe(document.body, {childList: true, subtree: true});
}"""


class Handlers(Protocol):
    """What the layout needs of the chat page (`chat.ChatPage`), without importing it."""

    secret: str

    def department_choices(self) -> list[tuple[str, str]]: ...

    @property
    def ask(self) -> Handler: ...

    @property
    def escalate(self) -> Handler: ...

    @property
    def contact(self) -> Handler: ...

    @property
    def rate(self) -> Handler: ...

    @property
    def send_comment(self) -> Handler: ...

    @property
    def on_load(self) -> Handler: ...


class Layout:
    def __init__(self, page: Handlers) -> None:
        self.page = page
        self.c: dict[str, Any] = {}

    def blocks(self) -> gr.Blocks:
        c = self.c
        with gr.Blocks(title="digihulp", analytics_enabled=False) as demo:
            c["demo"] = demo
            gr.HTML(HEADER)
            c["dept_store"] = gr.BrowserState("", storage_key="digihulp_dienst", secret=self.page.secret)
            c["ids_store"] = gr.BrowserState([], storage_key="digihulp_vragen", secret=self.page.secret)
            c["answer_state"], c["turns"], c["given"] = gr.State(None), gr.State([]), gr.State(None)
            c["dept"] = gr.Dropdown(self.page.department_choices(), value=None, label="Jouw dienst",
                                    elem_id="dh-dienst", info="Typ om te zoeken, bv. 'welzijn' of 'OCMW'. We "
                                    "onthouden je keuze in deze browser.")
            c["linked"] = gr.HTML("", elem_id="dh-vraag-link")
            c["mine"] = gr.HTML("", elem_id="dh-mijn-vragen")
            c["conversation"] = gr.HTML("", elem_id="dh-antwoord")
            self._after_answer()
            with gr.Row(equal_height=True):
                c["question"] = gr.Textbox(label="Je vraag", placeholder="bv. Hoe print ik met mijn badge?", lines=2,
                                           max_lines=6, scale=5, elem_id="dh-vraag")
                c["ask_btn"] = gr.Button("Vraag", variant="primary", scale=1, elem_id="dh-vraag-knop")
            # Announced by screen readers: the gist of each new answer (the page itself keeps the whole visit).
            c["live"] = gr.HTML("", elem_id="dh-live", elem_classes=["dh-sr"])
            self._wire()
        return demo

    def _after_answer(self) -> None:
        c = self.c
        with gr.Column(visible=False) as c["after"]:
            with gr.Column(visible=False) as c["rate"]:
                gr.HTML("<strong>Was dit antwoord nuttig?</strong>")
                with gr.Row():
                    c["up"] = gr.Button("👍 Ja", size="sm", elem_id="dh-duim-op")
                    c["down"] = gr.Button("👎 Nee", size="sm", elem_id="dh-duim-neer")
                c["comment"] = gr.Textbox(label="Opmerking bij dit antwoord (niet verplicht)", max_length=2000,
                                          elem_id="dh-opmerking")
                c["comment_btn"] = gr.Button("Opmerking versturen", size="sm", elem_id="dh-opmerking-knop")
            c["esc_btn"] = gr.Button("Vraag het aan mijn digicoach", elem_id="dh-escaleer")
            c["status"] = gr.HTML("", elem_id="dh-status")
            with gr.Column(visible=False, elem_id="dh-contact") as c["contact_box"]:
                gr.HTML("<strong>Wil je een mail als je digicoach antwoordt?</strong> Laat je naam en e-mailadres "
                        "(of telefoonnummer) achter. Niet verplicht: je ziet het antwoord ook onder 'Mijn vragen'.")
                with gr.Row():
                    c["name"] = gr.Textbox(label="Naam", max_length=120, elem_id="dh-naam")
                    c["contact"] = gr.Textbox(label="E-mail of telefoon", max_length=120, elem_id="dh-contactgegevens")
                c["contact_btn"] = gr.Button("Bewaar", size="sm", elem_id="dh-contact-knop")
                c["contact_status"] = gr.HTML("", elem_id="dh-contact-status")

    def _wire(self) -> None:
        c, p = self.c, self.page
        ask_in = [c["question"], c["dept"], c["ids_store"], c["turns"], c["comment"], c["given"]]
        ask_out = [c["conversation"], c["turns"], c["answer_state"], c["ids_store"], c["after"], c["rate"],
                   c["esc_btn"], c["contact_box"], c["status"], c["comment"], c["given"], c["question"], c["mine"],
                   c["live"], c["contact_status"]]
        progress: dict[str, Any] = {"show_progress": "full", "show_progress_on": [c["conversation"]]}
        c["ask_btn"].click(p.ask, ask_in, ask_out, api_name="vraag", **progress)
        c["question"].submit(p.ask, ask_in, ask_out, api_visibility="private", **progress)
        c["esc_btn"].click(p.escalate, [c["answer_state"], c["dept"], c["ids_store"], c["turns"]],
                           [c["conversation"], c["turns"], c["answer_state"], c["ids_store"], c["esc_btn"],
                            c["contact_box"], c["status"], c["mine"]], api_name="escaleer")
        c["contact_btn"].click(p.contact, [c["answer_state"], c["name"], c["contact"], c["ids_store"]],
                               [c["contact_status"], c["mine"]], api_visibility="private")
        rate_in = [c["answer_state"], c["turns"], c["given"], c["comment"], c["dept"]]
        for button, rating in ((c["up"], 1), (c["down"], -1)):
            button.click(lambda a, t, g, m, d, r=rating: p.rate(a, t, g, m, d, r), rate_in,
                         [c["status"], c["given"], c["comment"]], api_visibility="private")
        c["comment_btn"].click(p.send_comment, [c["answer_state"], c["turns"], c["given"], c["comment"]],
                               [c["status"], c["given"], c["comment"]], api_visibility="private")
        c["dept"].change(lambda d: d, c["dept"], c["dept_store"], api_visibility="private", show_progress="hidden")
        c["demo"].load(p.on_load, [c["dept_store"], c["ids_store"]], [c["dept"], c["linked"], c["mine"],
                                                                      c["ids_store"]], api_visibility="private")
        c["demo"].load(None, None, None, js=PAGE_JS)
