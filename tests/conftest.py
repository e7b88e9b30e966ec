"""Shared fixtures: strict builds of the real site, and of edited copies of it, into temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
"""What the browser tests leave for a person to look at: screenshots, the list of external links."""
_STARTED = time.time()
# What a build reads; everything else (the venv, node_modules, tests) stays behind.
PROJECT_PARTS = ("mkdocs.yml", "docs", "data", "hooks", "overrides")


@dataclass
class Build:
    """A finished ``mkdocs build``: its exit code, what it printed, and the site it wrote."""

    returncode: int
    output: str
    site: Path

    def html(self, page: str) -> BeautifulSoup:
        """The parsed HTML of ``page``, a site path such as ``glossary/`` or ``sources/v4-brief/``."""
        path = self.site / page / "index.html" if not page.endswith(".html") else self.site / page
        return BeautifulSoup(path.read_text("utf-8"), "html.parser")

    def pages(self) -> list[str]:
        """Every page of the site (each ``index.html``), as site paths: ``""`` for the home page."""
        return sorted(
            f"{path.parent.relative_to(self.site).as_posix()}/".removeprefix("./")
            for path in self.site.rglob("index.html")
        )


def run_build(project: Path, site: Path, *, strict: bool = True) -> Build:
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml")]
    command += ["--site-dir", str(site)] + (["--strict"] if strict else [])
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=environment)
    return Build(result.returncode, result.stdout + result.stderr, site)


class Project:
    """A copy of the project in a temporary folder, to edit and build without touching the real one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        for part in PROJECT_PARTS:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.is_file():
                shutil.copy2(source, root / part)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text("utf-8")

    def write(self, relative: str, text: str) -> None:
        self.path(relative).parent.mkdir(parents=True, exist_ok=True)
        self.path(relative).write_text(text, encoding="utf-8")

    def replace(self, relative: str, old: str, new: str) -> int:
        """Replace the first ``old`` by ``new`` in a file; the 1-based line where it stood."""
        text = self.read(relative)
        offset = text.index(old)
        self.write(relative, text[:offset] + new + text[offset + len(old) :])
        return text.count("\n", 0, offset) + 1

    def build(self, *, strict: bool = True) -> Build:
        return run_build(self.root, self.root / "site", strict=strict)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real site, built once, strictly, into a temporary folder."""
    build = run_build(ROOT, tmp_path_factory.mktemp("site") / "site")
    assert build.returncode == 0, build.output
    return build


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


def pytest_terminal_summary(terminalreporter) -> None:
    """Where this run left its artifacts, so that CI logs show them; read from the folder, since the
    tests that wrote them may have run in other processes (pytest-xdist)."""
    written = sorted(
        path for path in ARTIFACTS.rglob("*") if path.is_file() and path.stat().st_mtime >= _STARTED
    ) if ARTIFACTS.is_dir() else []
    if not written:
        return
    terminalreporter.section("browser test artifacts")
    for folder in sorted({path.parent for path in written}):
        names = sorted(path.name for path in written if path.parent == folder)
        terminalreporter.write_line(f"{folder}: {', '.join(names)}")
