"""The preview survives: `mkdocs serve` through 20 edits of the data, valid, invalid and valid again.

After each edit the server must still answer. After an invalid one, every page shows the
problem (``path:line: message``) in its banner. After a valid one, the pages it serves are
exactly what a fresh ``mkdocs build`` of the same files makes, once the script `serve`
injects for live reloading is taken out: no back-link, problem or page is left over from an
earlier rebuild. The server listens on 127.0.0.1 only and is stopped at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import Project, run_build
from test_bad_data import DATA_CASES, PAGE, PAGE_CASES, UNREADABLE_MESSAGE, Unreadable, checksums
from test_validation import Case

PAGES = ("", "glossary/", "timeline/", "who/", "sources/", "sources/v4-brief/", "topics/off-cuda/")
COMPARED = (*PAGES, "search/search_index.json", "sitemap.xml")
LIVERELOAD = re.compile(rb"<script>\nvar livereload = function\(epoch, requestId\).*?</script>(?=</body>)", re.S)
WAIT = 120  # seconds for any one rebuild to show; one takes a few

# Valid states of the project, as (file, old, new) replacements of the original files.
STATES: dict[str, list[tuple[str, str, str]]] = {
    "as it is": [],
    "a definition and a timeline title edited": [
        ("data/glossary.yaml", "definition: A model design that", "definition: A model design (edited) that"),
        ("data/timeline.yaml", "title: US export controls cut", "title: US export controls (edited) cut"),
    ],
    "a page and an entity edited": [
        (PAGE, "## What CUDA and CANN are", "A new paragraph on MoE [@v4-brief].\n\n## What CUDA and CANN are"),
        ("data/entities.yaml", "    context: ", "    context: Edited, "),  # the first entity's
    ],
}
EDITED = sorted({path for replacements in STATES.values() for path, _, _ in replacements} | {
    case.path for case in DATA_CASES.values() if isinstance(case, Case)
})
# 20 edits: a valid state, or a bad-data case applied to the state before it.
STEPS = [
    "a definition and a timeline title edited", "unclosed double quote", "a definition and a timeline title edited",
    "as it is", "unknown field", "as it is",
    "a page and an entity edited", "quote not in the article", "a page and an entity edited",
    "duplicate id in one file", "a page and an entity edited",
    "a definition and a timeline title edited", "anchor and alias (a billion laughs)",
    "a definition and a timeline title edited", "id in Chinese", "a definition and a timeline title edited",
    "impossible date (30 February)", "as it is", "tab indentation", "a page and an entity edited",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Straight to 127.0.0.1, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str) -> bytes:
    with _OPENER.open(url, timeout=WAIT) as response:
        assert response.status == 200
        return response.read()


class Preview:
    """A running `mkdocs serve` of a project copy, and what it serves."""

    def __init__(self, project: Project, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log = log
        self.output = log.open("wb")
        command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr", f"127.0.0.1:{self.port}"]
        command += ["--config-file", str(project.root / "mkdocs.yml")]
        self.process = subprocess.Popen(
            command, stdout=self.output, stderr=subprocess.STDOUT, env=os.environ, cwd=project.root
        )

    def page(self, path: str) -> bytes:
        assert self.process.poll() is None, "mkdocs serve died:\n" + self.log.read_text("utf-8")[-3000:]
        return LIVERELOAD.sub(b"", _get(self.base + path))

    def until(self, condition, what: str) -> None:
        """Poll until ``condition()`` holds; every request on the way must be answered."""
        deadline = time.monotonic() + WAIT
        while not condition():
            assert time.monotonic() < deadline, f"{what}, after {WAIT} s; server log:\n" + self.log.read_text("utf-8")[-3000:]
            time.sleep(0.3)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # as Ctrl-C: serve removes its temporary site
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.close()


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Unreadable:
    return Unreadable(tmp_path / "unreadable", monkeypatch)


@pytest.fixture
def preview(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unreadable: Unreadable) -> Iterator[Preview]:
    """A preview of the project; files made unreadable by ``unreadable`` are unreadable to it too."""
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    server = Preview(project, tmp_path / "serve.log")
    # serve builds with site_url set to its own address; so must the fresh builds it is compared with.
    monkeypatch.setenv("SITE_URL", server.base)
    try:
        server.until(lambda: _answers(server), "the preview did not start")
        yield server
    finally:
        server.stop()


def _answers(server: Preview) -> bool:
    try:
        server.page("")
    except (urllib.error.URLError, ConnectionError):
        return False
    return True


def _apply_state(project: Project, originals: dict[str, bytes], state: str) -> None:
    for path in EDITED:
        text = originals[path].decode("utf-8")
        for file, old, new in STATES[state]:
            if file == path:
                assert old in text, (file, old)
                text = text.replace(old, new, 1)
        if project.path(path).read_bytes() != text.encode("utf-8"):
            project.write(path, text)


@pytest.mark.slow
def test_the_preview_survives_twenty_edits_and_serves_what_a_fresh_build_makes(
    preview: Preview, project: Project, tmp_path: Path
):
    assert len(STEPS) == 20
    originals = {path: project.path(path).read_bytes() for path in EDITED}
    fresh: dict[str, dict[str, bytes]] = {}
    state = "as it is"
    for number, step in enumerate(STEPS, 1):
        if step in STATES:
            state = step
            _apply_state(project, originals, state)
            if state not in fresh:
                fresh[state] = _fresh_build(project, tmp_path / f"fresh-{len(fresh)}")
            expected = fresh[state]
            preview.until(
                lambda expected=expected: all(preview.page(path) == expected[path] for path in COMPARED),
                f"edit {number} ({state}): the preview does not serve what a fresh build makes",
            )
        else:
            _apply_state(project, originals, state)
            case = DATA_CASES[step]
            line = project.replace(case.path, case.old, case.new) + case.line_offset
            problem = f"{case.path}:{case.line or line}: {case.message}"
            preview.until(
                lambda problem=problem: problem in _banner(preview.page("topics/off-cuda/")),
                f"edit {number} ({step}): the preview does not show {problem!r}",
            )
            assert problem in _banner(preview.page("glossary/"))


def _banner(html: bytes) -> str:
    banner = BeautifulSoup(html, "html.parser").select_one(".explainer-problems")
    return banner.get_text() if banner else ""


def _fresh_build(project: Project, folder: Path) -> dict[str, bytes]:
    """A strict `mkdocs build` of a copy of the project as it is now: the pages it makes."""
    copy = folder / "project"
    shutil.copytree(project.root, copy)
    build = run_build(copy, folder / "site")
    assert build.returncode == 0, build.output
    assert checksums(copy) == checksums(project.root)
    return {path: (build.site / (path + "index.html" if path.endswith("/") or not path else path)).read_bytes()
            for path in COMPARED}


# -- what used to stop the preview: each is shown on the banner, and the preview keeps answering ----

def _case(name: str):
    """A step made of one of test_bad_data's cases: apply it; the problem it must show."""

    def step(project: Project, unreadable: Unreadable) -> str:
        case = DATA_CASES.get(name) or PAGE_CASES[name]
        if isinstance(case, Case):
            line = project.replace(case.path, case.old, case.new) + case.line_offset
        else:
            line = case.apply(project) or case.line
        return f"{case.path}:{case.line or line}: {case.message}"

    return step


def _unreadable(relative: str):
    def step(project: Project, unreadable: Unreadable) -> str:
        unreadable.make(project.path(relative))
        return f"{relative}:1: {UNREADABLE_MESSAGE}"

    return step


def _link(relative: str, target: str, *also: str):
    def step(project: Project, unreadable: Unreadable) -> str:
        for copy in also:
            shutil.copy(project.path("data/sources/v4-brief.yaml"), project.path(copy))
        project.path(relative).symlink_to(target)
        return (
            f"{relative}:1: the file is a symbolic link, which the build never follows (it could point anywhere "
            "on the machine); replace it with the file itself"
        )

    return step


BROKEN = {
    "merge key": _case("merge key with a block mapping"),
    "name: =": _case("a bare = as a value"),
    "term: <<": _case("a bare << as a value"),
    "a number of 5,000 digits": _case("a number of 5,000 digits"),
    "an unreadable data file": _unreadable("data/glossary.yaml"),
    "an unreadable article": _unreadable("data/sources/v4-brief.txt"),
    "an unreadable schema": _unreadable("data/schema/common.schema.json"),
    "a schema deleted": _case("a schema deleted"),
    "a schema {}": _case("a schema that is {}"),
    "a $ref to a missing file": _case("a $ref to a missing file"),
    "an unreadable page": _unreadable(PAGE),  # the home page must still answer
    "a page that is not UTF-8": _case("a page that is not UTF-8"),
    "an article linked to /etc/passwd": _link("data/sources/leak.txt", "/etc/passwd", "data/sources/leak.yaml"),
    "a file of docs/ linked to /etc/passwd": _link("docs/leak.txt", "/etc/passwd"),
}
"""What gave a traceback and stopped the preview, each with the one line it must show instead."""


@pytest.mark.slow
def test_the_preview_shows_what_used_to_stop_it_and_keeps_answering(
    preview: Preview, project: Project, unreadable: Unreadable
):
    originals = {
        path.relative_to(project.root).as_posix(): path.read_bytes()
        for folder in ("data", "docs")
        for path in (project.root / folder).rglob("*")
        if path.is_file()
    }
    for name, step in BROKEN.items():
        problem = step(project, unreadable)
        preview.until(
            lambda problem=problem: problem in _banner(preview.page("")) and problem in _banner(preview.page("glossary/")),
            f"{name}: the preview does not show {problem!r}",
        )
        _restore(project, unreadable, originals)
        preview.until(lambda: not _banner(preview.page("")), f"{name}: the preview still shows a problem once fixed")


def _restore(project: Project, unreadable: Unreadable, originals: dict[str, bytes]) -> None:
    """Every file of data/ and docs/ as it was; links and files added since, removed."""
    for path in sorted((project.root / "data").rglob("*")) + sorted((project.root / "docs").rglob("*")):
        relative = path.relative_to(project.root).as_posix()
        if path.is_symlink() or (path.is_file() and relative not in originals):
            path.unlink()
    unreadable.clear()
    for relative, content in originals.items():
        path = project.path(relative)
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)


@pytest.mark.slow
def test_the_preview_recovers_when_data_is_moved_away_and_back(preview: Preview, project: Project, tmp_path: Path):
    before = preview.page("glossary/")
    (project.root / "data").rename(tmp_path / "data-away")
    time.sleep(3)  # a few polls of the watcher: the preview keeps answering with the site it has
    assert preview.page("glossary/") == before
    (tmp_path / "data-away").rename(project.root / "data")
    time.sleep(3)
    project.replace("data/glossary.yaml", "    definition: ", "    definition: (back) ")  # the first term's
    preview.until(lambda: b"(back)" in preview.page("glossary/"), "an edit of data/ after it came back is not shown")
