"""/start for new colleagues: the start check, their tip path, ticking tips off, and (only with consent) sharing the
result with their digicoach. Thin handlers over assistant.startpath, the signed token and StartResults.

Without consent the server keeps nothing: the answers only compute the path, which goes back to the browser as a
signed token (URL and localStorage); no row, no file, no log line holds them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import replace

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.errors import StorageError
from assistant.escalation import CoachDirectory
from assistant.startcheck import StartCheck
from assistant.startcheck_store import StartResults
from assistant.startpath import Answers, build_path, recheck_due
from assistant.ui import start_render as render
from assistant.ui.plain_page import page
from assistant.ui.start_content import Snapshot, StartContent
from assistant.ui.start_token import PathState, sign_state, unsign_state

log = logging.getLogger(__name__)

TITLE = "Startcheck"
Today = Callable[[], dt.date]
NOTICES = {
    "ingetrokken": ("ok", "Je gedeelde resultaat is verwijderd. Je digicoach ziet het niet meer."),
    "niet-gedeeld": ("fout", "Je resultaat kon nu niet gedeeld worden met je digicoach (technisch probleem). Je "
                             "tippad werkt wel; deel het later opnieuw door de startcheck nog eens te doen."),
    "niet-ingetrokken": ("fout", "Je gedeelde resultaat kon nu niet verwijderd worden (technisch probleem). Probeer "
                                 "het later opnieuw of vraag het aan je digicoach."),
    "gedeeld": ("ok", "Je resultaat is gedeeld met je digicoach: alleen je niveau per onderwerp en de datum."),
}


def _today() -> dt.date:
    return dt.date.today()


class StartPage:
    def __init__(self, content: StartContent, directory: CoachDirectory, results: StartResults, secret: str,
                 today: Today = _today) -> None:
        self.content, self.directory, self.results, self.secret = content, directory, results, secret
        self.today = today

    def install(self, app: FastAPI) -> None:
        for path, handler, methods in (("/start", self.show, ["GET"]), ("/start", self.submit, ["POST"]),
                                       ("/start/pad", self.path, ["GET"]), ("/start/gedaan", self.tick, ["POST"]),
                                       ("/start/intrekken", self.withdraw, ["POST"])):
            app.add_api_route(path, handler, methods=methods, include_in_schema=False)

    # -- the check ----------------------------------------------------------------------------------------------
    @staticmethod
    def _unavailable(snap: Snapshot) -> HTMLResponse:
        """No start check (none yet, or a broken file): a notice, never an error page."""
        return page(TITLE, render.notice_html(snap.problems, snap.missing), page_id="start-melding", script=False)

    def show(self) -> HTMLResponse:
        snap = self.content.current()
        if snap.check is None:
            return self._unavailable(snap)
        body = render.form_html(snap.check, self.directory.departments(), {}, [], False)
        return page(TITLE, body, page_id="start")

    async def submit(self, request: Request) -> Response:
        snap = self.content.current()
        if snap.check is None:
            return self._unavailable(snap)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        check, dept = snap.check, self.directory.get(form.get("dienst"))
        answers = _answers(check, form)
        missing = answers.missing(check)
        if missing or dept is None:
            body = render.form_html(check, self.directory.departments(), form, missing, dept is None)
            return page(TITLE, body, page_id="start", status=422)
        previous = unsign_state(self.secret, form.get("vorige"))
        state, flag = self._result(check, answers, dept.id, previous, form.get("toestemming") == "ja")
        log.info("Start check completed: %d tips on the path, shared with the digicoach: %s", len(state.tips),
                 "yes" if state.series else "no")
        suffix = f"&melding={flag}" if flag else ""
        return RedirectResponse(f"/start/pad?r={sign_state(self.secret, state)}{suffix}", status_code=303)

    def _result(self, check: StartCheck, answers: Answers, dept: str, previous: PathState | None,
                consent: bool) -> tuple[PathState, str]:
        path, today = build_path(check, answers), self.today()
        levels = {lv.area: lv.score for lv in path.levels}
        first_on = (previous.first_on or previous.checked_on) if previous else None
        first_levels = (previous.first_levels or previous.levels) if previous else {}
        state = PathState(department=dept, checked_on=today, sections=tuple((s.area, s.tips) for s in path.sections),
                          levels=levels, knowledge={lv.area: lv.knowledge_ok for lv in path.levels
                                                    if lv.knowledge_ok is not None},
                          first_on=first_on, first_levels=dict(first_levels), cut=len(path.cut),
                          done=frozenset(previous.done & set(path.tips)) if previous else frozenset())
        if not consent:
            return state, ""
        series = previous.series if previous and previous.series else secrets.token_hex(8)
        try:
            self.results.add(series, dept, today, levels)
        except StorageError as exc:
            log.error("Start check result not shared: %s", exc)
            return state, "niet-gedeeld"
        return replace(state, series=series), "gedeeld"

    # -- the path -----------------------------------------------------------------------------------------------
    def path(self, request: Request, r: str = "", melding: str = "") -> HTMLResponse:
        state = unsign_state(self.secret, r)
        if state is None:
            return page("Tippad", '<h1>Deze link werkt niet</h1><div class="melding let-op" role="status"><p>Deze link '
                        "naar een tippad is onvolledig of verlopen. Kopieer hem opnieuw, of doe de startcheck opnieuw."
                        '</p></div><p><a class="knop" href="/start">Naar de startcheck</a></p>', page_id="pad-fout",
                        status=400, script=False)
        snap = self.content.current()
        kind, text = NOTICES.get(melding, ("", ""))
        notice = f'<div class="melding {kind}" role="status"><p>{text}</p></div>' if text else ""
        dept = self.directory.get(state.department)
        card = render.coach_card(self.directory.route(state.department), dept,
                                 snap.next_digistart(self.today()), f"/start/pad?r={r}")
        body = render.path_html(snap.check, state, r, str(request.base_url), card, notice)
        data = {"token": r, "due": recheck_due(state.checked_on).isoformat()}
        return page("Jouw tippad", body, page_id="pad", data=data)

    async def tick(self, request: Request) -> Response:
        """Mark a tip done or not done; answers JSON to the page's script, a redirect to a plain form."""
        form = await request.form()
        state = unsign_state(self.secret, str(form.get("r") or ""))
        if state is None:
            return JSONResponse({"fout": "Deze link naar je tippad werkt niet meer."}, status_code=400)
        tip = str(form.get("tip") or "")
        state = state.toggled(tip, str(form.get("gedaan") or "") == "1")
        token = sign_state(self.secret, state)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"token": token, "done": tip in state.done, "count": len(state.done),
                                 "total": len(state.tips)})
        anchor = f"#tip-{state.tips.index(tip) + 1}" if tip in state.tips else ""
        return RedirectResponse(f"/start/pad?r={token}{anchor}", status_code=303)

    async def withdraw(self, request: Request) -> Response:
        form = await request.form()
        state = unsign_state(self.secret, str(form.get("r") or ""))
        if state is None:
            return RedirectResponse("/start", status_code=303)
        if state.series:
            try:
                self.results.withdraw(state.series)
            except StorageError as exc:
                log.error("Start check result not withdrawn: %s", exc)
                return RedirectResponse(f"/start/pad?r={sign_state(self.secret, state)}&melding=niet-ingetrokken",
                                        status_code=303)
        cleared = replace(state, series="")
        return RedirectResponse(f"/start/pad?r={sign_state(self.secret, cleared)}&melding=ingetrokken",
                                status_code=303)


def _answers(check: StartCheck, form: dict[str, str]) -> Answers:
    def number(key: str) -> int:
        value = form.get(key, "")
        return int(value) if value.isdigit() and len(value) < 3 else -1

    ratings = {item.id: number(f"i-{item.id}") for item in check.items}
    knowledge = {area.id: number(f"k-{area.id}") for area in check.areas if area.question is not None}
    return Answers(ratings, knowledge)
