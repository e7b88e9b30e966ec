"""The Nu Html Checker (vnu.jar from npm, run with the machine's Java) on every HTML file of the build.

No error is allowed in markup the project writes; errors that come from Material's own templates are listed,
each with its reason, in ``vnu-allow.json``. Warnings are not checked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Build

from .conftest import node_tool

pytestmark = pytest.mark.browser

ALLOW_FILE = Path(__file__).with_name("vnu-allow.json")
# A page with three errors the checker must report: proof that it ran and that its report is read.
BROKEN = '<!doctype html><html lang="en"><title>broken</title><p id="x">one<p id="x">two</p></span></html>'


def _allow_list() -> list[dict]:
    entries = json.loads(ALLOW_FILE.read_text("utf-8"))["allow"]
    for entry in entries:
        assert entry.keys() == {"message", "extract", "origin", "reason"}, entry
        assert entry["reason"].strip() and entry["extract"].strip(), entry
    return entries


@pytest.fixture(scope="module")
def vnu(site: Build, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, list[dict]]:
    """vnu's errors by file, for every HTML file of the build and for one broken page; one run of Java."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("no java on PATH: `make test` installs it (apt-get install default-jre-headless)", pytrace=False)
    jar = node_tool("vnu-jar/build/dist/vnu.jar")
    broken = tmp_path_factory.mktemp("vnu") / "broken.html"
    broken.write_text(BROKEN, encoding="utf-8")
    files = sorted(site.site.rglob("*.html")) + [broken]
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, encoding="utf-8",
    )
    report = json.loads(result.stderr[result.stderr.index("{"):])  # vnu writes its JSON report to stderr
    errors: dict[Path, list[dict]] = {path: [] for path in files}
    for message in report["messages"]:
        assert message["type"] == "error", message  # with --errors-only; a "non-document-error" means no check
        path = Path(message["url"].removeprefix("file:"))
        errors[path].append(message)
    return errors


def test_the_checker_reports_the_errors_of_a_broken_page(vnu: dict[Path, list[dict]]):
    broken = next(path for path in vnu if path.name == "broken.html")
    messages = " ".join(error["message"] for error in vnu[broken])
    assert "Duplicate ID “x”" in messages and "Stray end tag “span”" in messages, messages


def test_every_generated_page_is_valid_html(vnu: dict[Path, list[dict]], site: Build):
    allowed = _allow_list()
    found = []
    for path, errors in vnu.items():
        if not path.is_relative_to(site.site):
            continue
        for error in errors:
            if not any(error["message"] == entry["message"] and entry["extract"] in error.get("extract", "")
                       for entry in allowed):
                where = f"{path.relative_to(site.site)}:{error.get('lastLine', '?')}"
                found.append(f"{where}: {error['message']}\n    {error.get('extract', '').strip()}")
    assert found == [], "\n".join(found)


def test_every_allowed_error_still_happens(vnu: dict[Path, list[dict]], site: Build):
    """An entry whose error is gone must go too, or it would hide the next one."""
    errors = [error for path, errors in vnu.items() if path.is_relative_to(site.site) for error in errors]
    stale = [
        entry["message"] for entry in _allow_list()
        if not any(error["message"] == entry["message"] and entry["extract"] in error.get("extract", "")
                   for error in errors)
    ]
    assert stale == [], f"remove from {ALLOW_FILE.name}: {stale}"
