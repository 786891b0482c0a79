"""When a coach's session ends while the workspace is open: a Dutch sign-in dialog over the page, then the action
goes on. Nothing typed is lost, and Gradio never sees the refused call (no English "Error" toast, no "Fout"
badges).

The script wraps `window.fetch` (Gradio's client sends every call of the page, its event streams and uploads
through it). A 401 from the workspace's own API holds that call, shows the dialog and, once the sign-in worked,
sends the same call again. Calls that fail meanwhile wait for the same dialog.
"""

from __future__ import annotations

from assistant.ui.login import PREFIX, SIGNED_OUT

STYLE = """
#dh-relogin {position: fixed; inset: 0; background: rgba(20, 28, 38, .55); z-index: 10000; display: flex;
  align-items: center; justify-content: center; font-family: system-ui, sans-serif;}
#dh-relogin .dh-relogin-box {background: #fff; color: #1d2733; max-width: 380px; width: calc(100% - 32px);
  padding: 24px 28px; border-radius: 12px; box-shadow: 0 4px 24px rgba(0, 0, 0, .25);}
#dh-relogin h2 {font-size: 1.2rem; margin: 0 0 .4em;}
#dh-relogin label {display: block; margin: .8em 0 .2em;}
#dh-relogin input {width: 100%; box-sizing: border-box; padding: .5em; border: 1px solid #6b7785; border-radius: 6px;
  font-size: 1rem;}
#dh-relogin button {margin-top: 1.1em; width: 100%; padding: .6em; border: 0; border-radius: 6px;
  background: #1f5fa8; color: #fff; font-size: 1rem; cursor: pointer;}
#dh-relogin input:focus, #dh-relogin button:focus {outline: 3px solid #0b3c61; outline-offset: 2px;}
#dh-relogin .dh-relogin-msg {background: #fdecea; border: 1px solid #c0392b; color: #6b1d16; padding: .5em .7em;
  border-radius: 6px; margin-top: .8em;}
"""

SCRIPT = """
(() => {
  if (window.__dhRelogin) return;
  window.__dhRelogin = true;
  const PREFIX = %(prefix)s, TITLE = %(title)s;
  const realFetch = window.fetch.bind(window);
  let waiting = null;

  const gated = (input) => {
    try {
      const url = new URL(typeof input === "string" ? input : (input && input.url) || String(input), location.href);
      return url.origin === location.origin && url.pathname.startsWith(PREFIX + "/");
    } catch (e) { return false; }
  };

  async function signIn(name, password) {
    const body = new URLSearchParams({naam: name, wachtwoord: password});
    const response = await realFetch("/login", {method: "POST", body, credentials: "same-origin"});
    if (response.ok && new URL(response.url).pathname.startsWith(PREFIX)) return "";
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const msg = page.querySelector(".msg");
    return msg ? msg.textContent : "Aanmelden lukte niet. Probeer het opnieuw.";
  }

  function dialog(done) {
    const box = document.createElement("div");
    box.id = "dh-relogin";
    box.innerHTML = `<div class="dh-relogin-box" role="dialog" aria-modal="true" aria-labelledby="dh-relogin-title"
      aria-describedby="dh-relogin-help"><h2 id="dh-relogin-title"></h2>
      <p id="dh-relogin-help">Wat je typte blijft staan. Meld je aan, dan gaat je actie gewoon verder.</p>
      <form><label for="dh-relogin-naam">Naam</label>
      <input id="dh-relogin-naam" name="naam" autocomplete="username" required>
      <label for="dh-relogin-wachtwoord">Wachtwoord</label>
      <input id="dh-relogin-wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required>
      <div class="dh-relogin-msg" role="alert" hidden></div>
      <button type="submit">Aanmelden</button></form></div>`;
    box.querySelector("h2").textContent = TITLE;
    const form = box.querySelector("form"), msg = box.querySelector(".dh-relogin-msg");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      let problem;
      try {
        problem = await signIn(form.naam.value, form.wachtwoord.value);
      } catch (e) {
        problem = "De server is niet bereikbaar. Probeer het zo dadelijk opnieuw.";
      }
      button.disabled = false;
      if (problem) { msg.textContent = problem; msg.hidden = false; form.wachtwoord.select(); return; }
      box.remove();
      done();
    });
    document.body.appendChild(box);
    form.naam.focus();
  }

  const signedIn = () => waiting || (waiting = new Promise(dialog).finally(() => { waiting = null; }));

  window.fetch = async function (input, init) {
    const response = await realFetch(input, init);
    if (response.status !== 401 || !gated(input)) return response;
    await signedIn();
    return window.fetch(input, init);
  };
})();
"""


def head() -> str:
    """The <head> addition for the coach workspace."""
    import json

    script = SCRIPT % {"prefix": json.dumps(PREFIX), "title": json.dumps(SIGNED_OUT)}
    return f"<style>{STYLE}</style><script>{script}</script>"
