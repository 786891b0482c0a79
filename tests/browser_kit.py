"""What the real-browser tests share: Debian's Chromium under Playwright (never a browser download), the app on the
real model, a page watcher, screenshots and the accessibility checks (axe-core from the `axe-playwright-python`
package, which ships axe.min.js, so nothing is fetched at test time)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app import PASSWORD, Web, private_copy, start_web

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# WCAG 2.1 level A and AA (axe tags its rules by the level they test).
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def real_web(factory: pytest.TempPathFactory, name: str, ingested: Path, embedder: Any,
             coaches: Iterable[tuple[str, str]] = (), prepare: Callable[[Any], object] | None = None) -> Iterator[Web]:
    """The whole app on a private copy of the real index, served on a free port; `coaches` are extra accounts
    (name, department) next to test_app.COACH; `prepare(settings)` changes the copy before the app starts."""
    from assistant.auth import AccountStore

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium); run `make browser`")
    root = factory.mktemp(name)
    settings = private_copy(ingested, root)
    for coach, department in coaches:
        AccountStore(settings.accounts_file).add(coach, PASSWORD, department)
    if prepare is not None:
        prepare(settings)
    yield from start_web(root, settings, embedder)


def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for one test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser(web: Web) -> Iterator[Any]:
    """One Chromium per test module, started after the module's `web` (which skips without Chromium)."""
    yield from chromium()


def new_context(browser: Any, viewport: dict[str, int] | None = None, **options: Any) -> Any:
    """A fresh browser profile (own cookies and local storage), Dutch, patient on a busy machine."""
    if viewport == PHONE:
        options = {"is_mobile": True, "has_touch": True, **options}
    context = browser.new_context(viewport=viewport or DESKTOP, locale="nl-BE", **options)
    context.set_default_timeout(60_000)  # the first answer may wait for the model on a busy machine
    return context


class Watch:
    """Dialogs (alert from injected script) and requests that leave this machine."""

    def __init__(self, page: Any, base: str) -> None:
        self.dialogs: list[str] = []
        self.external: list[str] = []

        def dismiss(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        local = (base, "data:", "blob:")
        page.on("request", lambda r: None if r.url.startswith(local) else self.external.append(r.url))


def shot(page: Any, name: str, tmp_path: Path, full_page: bool = False) -> Path:
    """A screenshot for the test's record; DIGIHULP_SCREENSHOT_DIR=docs/screenshots keeps it for the README."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 5_000
    keep = os.environ.get("DIGIHULP_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


# --- accessibility ------------------------------------------------------------------------------------------


# No transition or finite animation still running (a spinner's infinite loop never settles, so it is left out).
SETTLED = """() => document.getAnimations().every(a =>
    a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)"""


def axe_violations(page: Any, context: Any = None) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, as axe reports them."""
    from axe_playwright_python.sync_playwright import Axe

    # Gradio's pending overlay fades its text in; axe must judge the page at rest, not mid-transition: a
    # half-faded answer blends its link colour into the page (#0b57a4 measured as #3e7ab7, contrast 4.34).
    page.wait_for_function("() => !document.querySelector('.progress-text, .eta-bar')")
    page.wait_for_function(SETTLED)
    options = {"runOnly": {"type": "tag", "values": WCAG21_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    return list(results.response["violations"])


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """What an engineer needs to fix each violation: rule, impact, what is wrong, and where."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} [{len(v['nodes'])}×]")
        for node in v["nodes"][:8]:
            target = " ".join(map(str, node.get("target", [])))
            summary = " ".join(str(node.get("failureSummary", "")).split())[:220]
            lines.append(f"    {target}  — {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str) -> None:
    """No serious or critical WCAG 2.1 A/AA violation on the page as it is now."""
    found = blocking(axe_violations(page))
    assert not found, f"axe-core on {where}: {len(found)} serious/critical WCAG 2.1 AA violations\n{describe(found)}"


# WCAG 2.1 relative luminance and contrast of an element's text colour against the first opaque background
# behind it (walking up the tree); alpha in the text colour is blended over that background. `pseudo` measures e.g.
# '::placeholder'.
CONTRAST_JS = """(el, pseudo) => {
  const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  let bg = null;
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] >= 0.99) { bg = c; break; }
  }
  bg = bg || [255, 255, 255, 1];
  const fg = rgba(getComputedStyle(el, pseudo || null).color);
  const mix = fg.slice(0, 3).map((c, i) => c * fg[3] + bg[i] * (1 - fg[3]));
  const [a, b] = [lum(mix), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def contrast(locator: Any, pseudo: str = "") -> float:
    """The text contrast ratio of the element (1 to 21)."""
    return float(locator.evaluate(CONTRAST_JS, pseudo))


def outline_contrast(locator: Any) -> float:
    """The contrast of the element's focus outline colour against the background behind the element."""
    return float(locator.evaluate("(el) => { const o = getComputedStyle(el).outlineColor;"
                                  " const probe = document.createElement('span'); probe.style.color = o;"
                                  " el.parentElement.appendChild(probe);"
                                  f" const r = ({CONTRAST_JS})(probe); probe.remove(); return r; }}"))
