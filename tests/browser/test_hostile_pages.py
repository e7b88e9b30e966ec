"""Hostile input in Chromium: tooltips, and Markdown pages, whose script must never run (issue 10, §1 and §3).

Every payload is an ``<img src=x onerror=…>``, an element, an attribute or a link that, if it ever runs,
leaves three traces: it appends its name to ``window.pwned``, logs ``PWNED:<name>`` and opens an alert
(the first on each page; later ones leave the other two). A test fails on any of them, on any dialog at
all, and on any tooltip that holds an element (markup, where a title is text). The builds are not strict,
as ``mkdocs serve`` makes them: what a reviewer previews.

Tooltips. With ``content.tooltips``, Material turns an element's ``title`` into a tooltip when the element
is hovered or focused, and inserts the title as HTML. Two builds carry a payload in every free-text field
of every data file (``poison()`` of ``tests/test_hostile.py``): one in four entity spellings (``&lt;``,
``&#60;``, ``&#x3c;``, ``&lt`` with no semicolon), where aliases stay so that terms are still linked, and
one raw; the first also has a page whose abbreviations and link titles carry both kinds. On every page,
every element with a title is focused (when it can take focus) and hovered with the mouse.

Hovers are deduplicated across the site by (tag, classes, title). That is sound because Material builds a
tooltip from the title alone (the same bundle on every page), and which of its components mounts it
depends only on the element's tag and classes: two elements alike in all three get the same tooltip from
the same code, so a payload that one of them would run, the other would run too. Elements the mouse cannot
reach at this width (hidden, or under another element) get, by script, the ``mouseenter`` Material
listens for.

Pages. A page carries raw ``<script>``, ``<img onerror>``, a ``javascript:`` link, ``<iframe>``,
``<svg onload>``, ``<style>``, attribute lists with upper-case names, entity-encoded schemes, a
reference-style link whose ``javascript:`` target is on the next line, an element that takes the id of the
theme's settings (``__config``) to start a search worker of its own, a link to another host by the page's
scheme (``//host``), a front-matter title that closes ``<title>`` and front-matter fields that Material
prints unescaped (``description``, ``subtitle``) or takes a template by (``template: redirect.html``); two more pages have such a title as an h1 (in code) and ``Chips & software``. All
three are in the navigation, so their titles reach every page. Every page is loaded, the hostile page's
links are hovered and clicked, the titles must read as written (a ``<`` may show as ``‹``: such titles are
refused, see ``_reads_as``) in ``document.title``, the heading, the navigation, the back-link lists and the
search (index and dialog), and a strict build must name every payload's line, titles' included.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import Build, Project, run_build
from playwright.sync_api import Error as PlaywrightError
from test_hostile import FREE_TEXT, poison

from .conftest import SCREENSHOTS, Served, Tab, new_tab, search, serve, site_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# -- payloads ------------------------------------------------------------------------------------------


def runs(name: str, scope: str = "self") -> str:
    """Script that leaves its three traces if it runs: no quote, space, ``<`` or ``>``, so that it survives
    an unquoted attribute, a Markdown link target and YAML alike (``/name,/.source`` is the string)."""
    return (
        f"void({scope}.pwned=({scope}.pwned||String())+/{name},/.source,"
        f"{scope}.console.log(/PWNED:{name}/.source),{scope}.alert(/{name}/.source))"
    )


def raw_img(name: str) -> str:
    return f"<img src=x onerror={runs(name)}>"


# How an entity-encoded tag opens and closes; ``&lt`` without a semicolon is still ``<`` to a browser.
ENTITY_SPELLINGS = {"lt": ("&lt;", "&gt;"), "dec": ("&#60;", "&#62;"), "hex": ("&#x3c;", "&#x3e;"), "ltns": ("&lt", "&gt;")}


def encoded_imgs(name: str, spellings: tuple[str, ...] = tuple(ENTITY_SPELLINGS)) -> str:
    """The same ``<img>`` in every entity spelling, each named after its spelling."""
    return " ".join(
        f"{ENTITY_SPELLINGS[spelling][0]}img src=x onerror={runs(f'{name}-{spelling}')}{ENTITY_SPELLINGS[spelling][1]}"
        for spelling in spellings
    )


SHOWN = "img src=x onerror="
"""What a reader sees of any of these payloads once it is text, whether entities are decoded or not."""

# The fields whose text reaches a title, named in their payloads; every other free-text field by its kind.
TITLED_FIELDS = ("definition", "title", "publisher", "quote")


def data_payloads(payload: Callable[[str], str], **by_name: str | None) -> dict[str, str | None]:
    """What ``poison()`` puts in each field, by its name or else its kind."""
    return {
        **{kind: payload(kind.replace("_", "")) for kind in FREE_TEXT},
        **{field: payload(field) for field in TITLED_FIELDS},
        **by_name,
    }


# The two data builds. With entities, the aliases stay, so that terms are still linked and show their
# definitions; raw, they could not be linked anyway (their definitions are refused), so aliases get it too.
# An entity's name is one of its aliases, and past about 490 characters the alias matcher's trie goes past
# Python's recursion limit (a traceback, not these tests' subject): one spelling there.
DATA_ROUNDS = {
    "tooltips-encoded": data_payloads(encoded_imgs, aliases=None, name=encoded_imgs("name", ("lt",))),
    "tooltips-raw": data_payloads(raw_img),
}


TOOLTIP_PAGE = f"""# Tooltips from a page

A page may define abbreviations, such as MoE, XPU, YPU, ZPU and WPU here, and give its links titles:
[one in entities](https://example.org/a "{encoded_imgs('link-title')}"),
[one raw](https://example.org/b "{raw_img('link-title-raw')}") and
[one by reference][titled].

[titled]: https://example.org/c "{encoded_imgs('reference-title')}"

*[MoE]: {encoded_imgs('abbr-moe')}
*[XPU]: {encoded_imgs('abbr')}
*[YPU]: {raw_img('abbr-raw')}
*[ZPU]: &lt;img src=x onerror={runs('abbr-brief')}&gt;
*[WPU]: &#60;img src=x onerror={runs('abbr-dec')}&#62;
"""

HOSTILE_TITLE = f"</title><script>{runs('front-matter-title')}</script>{raw_img('front-matter-title-img')} Quokka"
CODE_TITLE = f"The </title><script>{runs('h1-title')}</script> trick"
AMPERSAND_TITLE = "Chips & software"
USES_AND_CITES = "This page uses CANN and cites a source [@v4-brief].\n"

# Each payload of the hostile page, on a line of its own; the strict build must name each line.
PAGE_PAYLOADS = {
    "script": f"<script>{runs('script')}</script>",
    "img onerror": f'<img src=x onerror="{runs("img-onerror")}">',
    "javascript: link": f'<a href="javascript:{runs("raw-link")}">a raw link</a>',
    "iframe": f'<iframe src="javascript:{runs("iframe", "parent")}"></iframe>',
    "svg onload": f'<svg onload="{runs("svg-onload")}"></svg>',
    "style": "<style>:root { --hostile-style: ran }</style>",
    "upper-case HREF": f'[An upper-case HREF](https://example.org/){{ HREF="javascript:{runs("HREF")}" }}',
    "upper-case ONCLICK": f'A paragraph that runs script when clicked.\n{{ ONCLICK="{runs("ONCLICK")}" }}',
    "&#106; scheme": f"[A decimal entity scheme](&#106;avascript:{runs('entity-scheme')})",
    "&Tab; scheme": f"[A tab entity scheme](java&Tab;script:{runs('tab-scheme')})",
    "reference to javascript:": f"[A reference-style link][jsref]\n\n[jsref]:\n    javascript:{runs('reference-link')}",
    # Material reads its settings from the first #__config: here, a search worker that answers every
    # search, the first one when the page loads, with a result whose title Material inserts as HTML.
    "the theme's settings": (
        '<div id="__config">{"base": "..", "features": [], "search": "data:text/javascript,onmessage=function(e){'
        "var r={type:3,data:{items:[[{location:'x',score:1,title:'%3Cimg src=x onerror=RUNS%3E',text:'',tags:[],"
        "terms:{}}]],total:1}};if(e.data.type===0){postMessage({type:1});postMessage(r)}else{postMessage(r)}}\", "
        '"translations": {}, "version": null}</div>'
    ).replace("RUNS", runs("theme-settings")),
    "another host by the page's scheme": f"[A link to another host](//example.org/{runs('protocol-relative')})",
    # Material gives an overflowing .md-ellipsis its own text, decoded, as a title, and the tooltip inserts it as HTML.
    "a class of the theme's": f'<pre class="md-ellipsis">&lt;img src=x onerror={runs("ellipsis")}&gt; {"A" * 300}</pre>',
}
# Fields Material prints into its templates unescaped, or takes a template by: front matter holds a title only.
FRONT_MATTER_PAYLOADS = {
    "description": f"description: '\"><img src=x onerror={runs('description')}>'",
    "subtitle": f"subtitle: '<img src=x onerror={runs('subtitle')}>'",
    "template": f"template: redirect.html\nlocation: '\"+{runs('redirect')}+\"'",
}
HOSTILE_PAGE = (
    f'---\ntitle: "{HOSTILE_TITLE}"\n' + "\n".join(FRONT_MATTER_PAYLOADS.values()) + f"\n---\n\n{USES_AND_CITES}\n"
    + "\n\n".join(PAGE_PAYLOADS.values()) + "\n"
)
TITLED_PAGES = {  # site path: (file, text, the title a reader must see)
    "hostile/": ("docs/hostile.md", HOSTILE_PAGE, HOSTILE_TITLE),
    "hostile-code-title/": (
        "docs/hostile-code-title.md",
        f"# The `</title><script>{runs('h1-title')}</script>` trick\n\n{USES_AND_CITES}",
        CODE_TITLE,
    ),
    "chips/": ("docs/chips.md", f"# {AMPERSAND_TITLE}\n\n{USES_AND_CITES}", AMPERSAND_TITLE),
}


def _reads_as(title: str) -> re.Pattern:
    """The title as a reader must see it: as written, except that a ``<`` may show as ``‹``. The contributing
    guide refuses ``<`` in titles (the strict build names the line) and the preview marks it so; any other
    change (a tag stripped, an entity shown as ``&amp;``, a character dropped) is a title that is not text."""
    return re.compile(re.escape(title).replace("<", "[<‹]"))


def _line_of(text: str, snippet: str) -> int:
    return text.count("\n", 0, text.index(snippet)) + 1


# -- the builds, made side by side ---------------------------------------------------------------------


def _tooltip_project(root: Path, round_: str) -> Project:
    project = Project(root)
    assert poison(project, DATA_ROUNDS[round_]) > 0
    for text in sorted(project.path("data/sources").glob("*.txt")):  # shown on the sources' reading pages
        text.write_text(text.read_text("utf-8") + f"\n\n{raw_img('article')} {encoded_imgs('article')}\n", "utf-8")
    if round_ == "tooltips-encoded":  # the page has both kinds of payload: one build of it is enough
        project.write("docs/hostile-tooltips.md", TOOLTIP_PAGE)
    return project


def _pages_project(root: Path) -> Project:
    project = Project(root)
    for file, text, _ in TITLED_PAGES.values():
        project.write(file, text)
    nav = "".join(f"\n  - {file.removeprefix('docs/')}" for file, _, _ in TITLED_PAGES.values())
    project.replace("mkdocs.yml", "  - Contributing: contributing.md", "  - Contributing: contributing.md" + nav)
    return project


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Build]]:
    """``builds("pages")``: the module's four builds, started together on two workers (two cores)."""
    folder = tmp_path_factory.mktemp("hostile-pages")
    tooltips = {name: _tooltip_project(folder / name, name) for name in DATA_ROUNDS}
    pages = _pages_project(folder / "pages")
    with ThreadPoolExecutor(max_workers=2) as pool:
        started: dict[str, Future[Build]] = {
            **{name: pool.submit(project.build, strict=False) for name, project in tooltips.items()},
            "pages": pool.submit(pages.build, strict=False),
            "pages-strict": pool.submit(run_build, pages.root, folder / "pages-strict-site", strict=True),
        }
        yield lambda name: started[name].result()


def _written(build: Build) -> Build:
    assert build.returncode == 0 and "Traceback" not in build.output, build.output[-3000:]
    return build


# -- in the page: what the tests read and do there ---------------------------------------------------

# Defined in every document before its own scripts run. Elements are found again by a number set on them.
PROBE = """window.hostileProbe = {
  frame: () => new Promise(done => requestAnimationFrame(() => done())),
  element: id => document.querySelector(`[data-hostile-probe="${id}"]`),
  kind(element) {
    if (element.matches("abbr")) return "abbreviation";
    if (element.matches("a.glossary-term")) return "term";
    if (element.closest("sup.citation")) return "citation";
    if (element.closest("article")) return "link";
    return "theme";
  },
  titled() {
    return Array.from(document.querySelectorAll("[title]"), (element, id) => {
      element.setAttribute("data-hostile-probe", id);
      return {id, tag: element.tagName.toLowerCase(), classes: element.getAttribute("class") || "",
              title: element.getAttribute("title"), kind: this.kind(element), focusable: element.tabIndex >= 0};
    });
  },
  aim(id) {  // where the mouse reaches the element, scrolling only if it must; null if it cannot
    const element = this.element(id);
    for (const block of ["nearest", "center"]) {
      element.scrollIntoView({block, inline: "nearest"});
      for (const box of element.getClientRects()) {
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        const hit = box.width && box.height && document.elementFromPoint(x, y);
        if (hit && element.contains(hit)) return {x, y};
      }
    }
    return null;
  },
  async tooltip(element) {
    for (let frames = 0; frames < 10; frames++) {
      const tooltip = document.getElementById(element.getAttribute("aria-describedby") || "-");
      if (tooltip) {
        const inner = tooltip.querySelector(".md-tooltip2__inner, .md-tooltip__inner") || tooltip;
        // Once its images have loaded or failed, an onerror they carry has run (a listener added here runs
        // after it, and leaves it in place).
        const images = Array.from(inner.querySelectorAll("img")).filter(image => !image.complete);
        await Promise.race([
          Promise.all(images.map(image => new Promise(done => {
            image.addEventListener("load", done);
            image.addEventListener("error", done);
          }))),
          new Promise(done => setTimeout(done, 2000)),
        ]);
        return {text: inner.textContent, markup: Array.from(inner.querySelectorAll("*"), e => e.outerHTML.slice(0, 200))};
      }
      await this.frame();
    }
    return null;
  },
  async focusEach(ids) {
    const shown = {};
    for (const id of ids) {
      const element = this.element(id);
      element.focus();
      if (document.activeElement === element) { await this.frame(); shown[id] = await this.tooltip(element); }
    }
    document.activeElement && document.activeElement.blur();
    return shown;
  },
  async hovered(id, reached, next) {  // the tooltip the element shows, and where the next one is
    const element = this.element(id);
    if (!reached) element.dispatchEvent(new MouseEvent("mouseenter"));
    const tooltip = await this.tooltip(element);
    if (!reached) element.dispatchEvent(new MouseEvent("mouseleave"));
    return {tooltip, next: next === null ? null : this.aim(next)};
  },
  traces() {
    const style = getComputedStyle(document.documentElement).getPropertyValue("--hostile-style").trim();
    return [...(window.pwned ? [`window.pwned = ${window.pwned}`] : []), ...(style ? [`<style> applied: ${style}`] : [])];
  },
};
// A page's first alert opens a dialog (and fails the test); later ones leave only their other traces: an open
// dialog stops the page until the test answers it, and a failing run would otherwise meet thousands.
const firstAlert = window.alert;
window.alert = message => {
  if (window.hostileAlerted) return;
  window.hostileAlerted = true;
  firstAlert.call(window, message);
};
// Tooltips appear at once: a fading tooltip repaints the page for a quarter of a second, which hundreds of
// them make the bulk of the browser's work; what a tooltip holds does not depend on it.
document.addEventListener("DOMContentLoaded", () => {
  const still = document.createElement("style");
  still.textContent = "*, *::before, *::after { transition: none !important; animation: none !important }";
  document.head.append(still);
});"""
# Small enough to paint quickly, wide enough for the table of contents; the navigation is a drawer here.
VIEWPORT = {"width": 1024, "height": 600}


@dataclass
class Witness:
    """A tab that records every trace a payload can leave: dialogs, its console lines, ``window.pwned``."""

    tab: Tab
    ran: list[tuple[str, str]] = field(default_factory=list)
    """``(where, what)``: the page (and the step) it ran on, and the trace it left."""
    doing: str = ""
    """What the test is doing on the page, for the traces' places: ``clicking <a href=…>``."""

    @classmethod
    def open(cls, browser, served: Served) -> Witness:
        tab = new_tab(browser, served, VIEWPORT, "light")
        witness = cls(tab)
        tab.page.add_init_script(PROBE)
        tab.page.on("dialog", witness._dialog)
        tab.page.on("console", witness._console)
        return witness

    @property
    def page(self):
        return self.tab.page

    def goto(self, path: str) -> None:
        self.tab.goto(path)  # until "load": images included, so that an onerror has run

    def check(self, where: str) -> None:
        """Record the page's own traces (``window.pwned``, a ``<style>`` of ours), against ``where``."""
        self.ran += [(where, trace) for trace in self.page.evaluate("() => hostileProbe.traces()")]

    def close(self) -> None:
        self.page.context.close()

    def _dialog(self, dialog) -> None:
        self.ran.append((self._here(), f"{dialog.type} {dialog.message!r}"))
        dialog.dismiss()

    def _console(self, message) -> None:
        if "PWNED" in message.text:
            self.ran.append((self._here(), f"console {message.text!r}"))

    def _here(self) -> str:
        path = self.tab.served.path_of(self.page.url)
        place = self.page.url if path is None else path or "home"
        return f"{place}, {self.doing}" if self.doing else place


def _listed(problems: list[str], limit: int = 40) -> str:
    more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(problems[:limit]) + more


def _by_place(ran: list[tuple[str, str]]) -> list[str]:
    """One line per place: the payloads that ran there (by the name each logs), how often, and any other trace."""
    places: dict[str, Counter] = {}
    for where, trace in ran:
        places.setdefault(where, Counter())[trace] += 1
    lines = []
    for where, traces in places.items():
        names = Counter({trace.split("PWNED:")[1].rstrip("'"): n for trace, n in traces.items() if "PWNED:" in trace})
        others = [trace for trace in traces if "PWNED:" not in trace and not (names and trace.startswith("window.pwned"))]
        counted = [f"{name} ×{count}" if count > 1 else name for name, count in names.most_common()]
        line = f"{where}: " + "; ".join(([f"ran {', '.join(counted)}"] if counted else []) + others)
        lines.append(line if len(line) < 400 else line[:400] + "…")
    return lines


# -- tooltips ------------------------------------------------------------------------------------------


@dataclass
class Shown:
    """One element with a title, as a reader met it, and the tooltip it showed (None: none showed)."""

    page: str
    how: str
    """``hover``, ``focus``, or ``mouseenter`` (sent by script: the mouse could not reach the element)."""
    element: dict
    tooltip: dict | None

    def __str__(self) -> str:
        element = self.element
        classes = "".join(f".{name}" for name in element["classes"].split())
        return f"{self.page or 'home'}: <{element['tag']}{classes}> ({element['kind']}, {self.how}) titled {element['title'][:80]!r}"

    @property
    def markup(self) -> list[str]:
        return self.tooltip["markup"] if self.tooltip else []

    @property
    def as_text(self) -> bool:
        return bool(self.tooltip) and not self.markup and SHOWN in self.tooltip["text"]


def _show_every_tooltip(witness: Witness, pages: list[str], seen: set, screenshot: Path | None) -> list[Shown]:
    """Focus, then hover, every element with a title not ``seen`` before; what each one's tooltip held."""
    shown: list[Shown] = []
    for path in pages:
        witness.goto(path)
        fresh = []
        for element in witness.page.evaluate("() => hostileProbe.titled()"):
            key = (element["tag"], element["classes"], element["title"])
            if key not in seen:
                seen.add(key)
                fresh.append(element)
        focusable = [element["id"] for element in fresh if element["focusable"]]
        focused = witness.page.evaluate("(ids) => hostileProbe.focusEach(ids)", focusable)
        shown += [Shown(path, "focus", element, focused[str(element["id"])]) for element in fresh if str(element["id"]) in focused]
        aim = witness.page.evaluate("(id) => hostileProbe.aim(id)", fresh[0]["id"]) if fresh else None
        for index, element in enumerate(fresh):
            if aim:
                witness.page.mouse.move(aim["x"], aim["y"])
            following = fresh[index + 1]["id"] if index + 1 < len(fresh) else None
            result = witness.page.evaluate(
                "([id, reached, next]) => hostileProbe.hovered(id, reached, next)", [element["id"], bool(aim), following]
            )
            shown.append(Shown(path, "hover" if aim else "mouseenter", element, result["tooltip"]))
            aim = result["next"]
            if screenshot and shown[-1].as_text and shown[-1].how == "hover" and element["kind"] in ("term", "citation"):
                _screenshot_tooltip(witness, element["id"], screenshot)
                screenshot = None
                aim = following and witness.page.evaluate("(id) => hostileProbe.aim(id)", following)
        witness.check(path or "home")
    return shown


def _screenshot_tooltip(witness: Witness, element: int, path: Path) -> None:
    """The element hovered again in the middle of the window (the page has scrolled on to the next one)."""
    aim = witness.page.evaluate("(id) => { hostileProbe.element(id).scrollIntoView({block: 'center'}); return hostileProbe.aim(id); }", element)
    witness.page.mouse.move(aim["x"], aim["y"])
    witness.page.wait_for_timeout(100)
    witness.page.screenshot(path=str(path))


def test_no_title_runs_script_when_its_tooltip_shows(browser, builds):
    seen: set = set()
    shown: list[Shown] = []
    ran: list[tuple[str, str]] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / "hostile-tooltip.png"
    screenshot.unlink(missing_ok=True)
    for name in DATA_ROUNDS:
        build = _written(builds(name))
        with serve(build.site) as served:
            witness = Witness.open(browser, served)
            try:
                shown += _show_every_tooltip(witness, site_pages(build), seen, screenshot)
            finally:
                witness.close()
        ran += [(f"{name} build, {where}", trace) for where, trace in witness.ran]
    markup = [f"{element}: its tooltip holds {element.markup[-1]}" for element in shown if element.markup]
    assert (ran, markup) == ([], []), (
        f"script ran ({len(ran)} traces):\n{_listed(_by_place(ran))}\n\n"
        f"{len(markup)} tooltips held markup, where a title is text:\n{_listed(markup, 25)}"
    )
    # The payloads were met, as text: hovering nothing, or tooltips that never showed, would pass the above.
    as_text = {element.element["kind"] for element in shown if element.as_text}
    assert as_text & {"term", "citation"}, "no tooltip of a term or a citation shows its data's payload as text"
    assert {"abbreviation", "link"} <= as_text, f"the page's abbreviations and link titles are not shown as text: {as_text}"
    assert sum(element.how == "hover" for element in shown) > 100, "the mouse reached few elements"


# -- Markdown pages ------------------------------------------------------------------------------------

# Every link (with a URL that is not http(s)) and every element with an event attribute in the article.
CLICKABLE = """() => Array.from(document.querySelectorAll("article *"))
  .filter(element => element.matches("a, pre, [class]") || element.getAttributeNames().some(name => name.startsWith("on")))
  .map((element, id) => {
    element.setAttribute("data-hostile-click", id);
    const link = element.matches("a[href]") && element instanceof HTMLAnchorElement;
    return {id, what: element.outerHTML.slice(0, 120), web: link && /^https?:$/.test(element.protocol),
            link: element.matches("a"), handler: element.getAttributeNames().some(name => name.startsWith("on"))};
  })"""
# The page's title as the tab, its heading and every link to one of the titled pages show it.
READ = """(targets) => ({
  title: document.title,
  heading: (document.querySelector("article h1") || {textContent: ""}).textContent,
  links: Array.from(document.querySelectorAll("a[href]:not([href^='#'])"))  // not within the page itself
    .filter(link => targets.includes(link.href.split("#")[0]))
    .map(link => ({to: link.href.split("#")[0], text: link.textContent.replace(/\\s+/g, " ").trim(),
      where: link.closest(".md-nav") ? "navigation" : link.closest("article") ? "article" : "page"})),
})"""


def _hover_and_click_every_link(witness: Witness, path: str) -> int:
    """Hover each link, block of code and element with a class of the article (the theme's script acts on
    classes); click each link that does not lead to the web, and each element with an event attribute, as a
    reader could; how many were clicked."""
    clicked = 0
    for target in witness.page.evaluate(CLICKABLE):
        element = witness.page.locator(f'[data-hostile-click="{target["id"]}"]')
        witness.doing = f"hovering {target['what']}"
        try:
            element.hover(timeout=2000)
        except PlaywrightError:
            element.dispatch_event("mouseenter")
        if (target["web"] or not target["link"]) and not target["handler"]:
            continue
        witness.doing = f"clicking {target['what']}"
        try:
            element.click(timeout=2000, no_wait_after=True)
        except PlaywrightError:
            element.dispatch_event("click")
        # A javascript: URL runs in a task of its own: let it run, and its traces arrive, before the next step.
        witness.page.evaluate("() => new Promise(done => setTimeout(done, 50))")
        clicked += 1
        if witness.tab.served.path_of(witness.page.url) != path:
            witness.ran.append((path, f"clicking {target['what']} left for {witness.page.url}"))
            witness.goto(path)
    witness.doing = ""
    return clicked


@dataclass
class Read:
    page: str
    title: str
    heading: str
    links: list[dict]


@dataclass
class HostileSite:
    build: Build
    served: Served
    witness: Witness
    reads: list[Read]
    ran: list[tuple[str, str]]
    """What ran while every page was loaded and the hostile pages' links clicked (searches come later)."""


@pytest.fixture(scope="module")
def hostile_site(browser, builds) -> Iterator[HostileSite]:
    """The site with the three titled pages, every page loaded once, each titled page's links clicked."""
    build = _written(builds("pages"))
    with serve(build.site) as served:
        witness = Witness.open(browser, served)
        targets = [served.url + page for page in TITLED_PAGES]
        reads = []
        try:
            for page in site_pages(build):
                witness.goto(page)
                if page in TITLED_PAGES:
                    _hover_and_click_every_link(witness, page)
                witness.check(page or "home")
                reads.append(Read(page, **witness.page.evaluate(READ, targets)))
            yield HostileSite(build, served, witness, reads, list(witness.ran))
        finally:
            witness.close()


def test_no_script_runs_on_any_page_of_a_site_with_hostile_pages(hostile_site: HostileSite):
    assert any(read.page == "hostile/" for read in hostile_site.reads)
    assert hostile_site.ran == [], "script ran:\n" + _listed(_by_place(hostile_site.ran))


def test_hostile_titles_read_as_written_in_the_tab_the_heading_the_navigation_and_the_back_links(
    hostile_site: HostileSite,
):
    title_of = {hostile_site.served.url + page: _reads_as(title) for page, (_, _, title) in TITLED_PAGES.items()}
    wrong = []
    for read in hostile_site.reads:
        if read.page in TITLED_PAGES:
            title = _reads_as(TITLED_PAGES[read.page][2])
            wrong += [f"{read.page}: document.title is {read.title!r}"] if not title.match(read.title) else []
            wrong += [f"{read.page}: the heading reads {read.heading!r}"] if not title.search(read.heading) else []
        for link in read.links:
            if link["text"] and not title_of[link["to"]].search(link["text"]):
                wrong.append(f"{read.page or 'home'}: a link ({link['where']}) to {link['to']} reads {link['text']!r}")
        missing = set(title_of) - {link["to"] for link in read.links if link["where"] == "navigation"}
        wrong += [f"{read.page or 'home'}: no link in the navigation to {page}" for page in sorted(missing)]
    glossary = next(read for read in hostile_site.reads if read.page == "glossary/")
    backlinked = {link["to"] for link in glossary.links if link["where"] == "article"}
    wrong += [f"glossary/: no back-link to {page}, which uses CANN" for page in sorted(set(title_of) - backlinked)]
    assert wrong == [], _listed(wrong)


SEARCHES = {"hostile/": "Quokka", "hostile-code-title/": "trick", "chips/": "Chips"}
INLINE = {"code", "em", "strong", "mark"}
"""Elements, without attributes, that a title in the search index may keep: Markdown's own inline markup."""
# The titles of the search results that lead to a page, as the dialog shows them.
RESULT_TITLES = """(target) => Array.from(document.querySelectorAll(".md-search-result__link"))
  .filter(link => link.href.split(/[?#]/)[0] === target)
  .map(link => (link.querySelector("h1, h2") || link).textContent.replace(/\\s+/g, " ").trim())"""


@pytest.mark.parametrize("page", SEARCHES)
def test_search_shows_each_hostile_title_as_text(hostile_site: HostileSite, page: str):
    title = _reads_as(TITLED_PAGES[page][2])
    index = json.loads((hostile_site.build.site / "search" / "search_index.json").read_text("utf-8"))
    entries = [entry for entry in index["docs"] if entry["location"] == page]
    assert entries, f"{page} is not in the search index"
    for entry in entries:  # Material shows an entry's title as HTML: it must parse to the title, as text
        parsed = BeautifulSoup(entry["title"], "html.parser")
        markup = [str(element) for element in parsed.find_all(True) if element.name not in INLINE or element.attrs]
        assert not markup and title.fullmatch(parsed.get_text()), f"search index entry for {page}: {entry['title']!r}"

    witness = hostile_site.witness
    witness.ran.clear()
    witness.goto("")
    found = search(witness.tab, SEARCHES[page])
    assert page in {path.split("?")[0].split("#")[0] for path in found}, found
    shown = witness.page.evaluate(RESULT_TITLES, hostile_site.served.url + page)
    witness.check(f"search for {SEARCHES[page]!r}")
    assert witness.ran == [], "script ran:\n" + _listed(_by_place(witness.ran))
    assert any(title.search(text) for text in shown), f"the search dialog shows {page} as {shown}"


# Where each title with "<" is written: the contributing guide refuses them, front matter included.
TITLE_LINES = [
    (file, _line_of(text, "title:" if text.startswith("---") else "# "))
    for file, text, title in TITLED_PAGES.values()
    if "<" in title
]


def test_a_strict_build_names_the_line_of_every_payload_in_a_page(builds):
    build = builds("pages-strict")
    assert build.returncode != 0, "the strict build of the hostile page passed:\n" + build.output[-3000:]
    assert "Traceback" not in build.output, build.output[-3000:]
    named = {int(line) for line in re.findall(r"^\S+\s+-\s+docs/hostile\.md:(\d+): \S", build.output, re.M)}
    unnamed = [f"{file}:{line}: the title is not reported" for file, line in TITLE_LINES if f"{file}:{line}: " not in build.output]
    for what, payload in {**FRONT_MATTER_PAYLOADS, **PAGE_PAYLOADS}.items():
        first = _line_of(HOSTILE_PAGE, payload)
        if not named & set(range(first, first + payload.count("\n") + 1)):
            unnamed.append(f"docs/hostile.md:{first}: {what} ({payload[:60]}…) is not reported")
    assert unnamed == [], _listed(unnamed) + "\n\nThe build said:\n" + build.output[-3000:]
