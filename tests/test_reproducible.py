"""Reproducible builds: two builds of the same sources, in two folders, are byte for byte the same.

Nothing is excluded from the comparison. MkDocs stamps the sitemap (``<lastmod>``, and the
modification time in the header of ``sitemap.xml.gz``) with the build date, which it takes
from ``SOURCE_DATE_EPOCH`` when that is set: the Makefile sets it to the time of the last
commit, and the tests to a fixed one, so nothing carries the time of the build. The second
build runs from a copy of the project in another folder, so no absolute path leaks in either.
The real project's ``docs/`` and ``data/`` are checksummed around the builds: a build writes
nothing there.
"""

from __future__ import annotations

import ast
import datetime
import gzip
import importlib.metadata
import os
import re
import subprocess
from pathlib import Path

from conftest import ROOT, Project, run_build
from test_bad_data import checksums

EPOCH = 1767225600  # as conftest.run_build sets SOURCE_DATE_EPOCH


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_builds_of_the_same_sources_are_byte_identical_and_touch_no_source(tmp_path: Path):
    protected = checksums(ROOT)
    copy = Project(tmp_path / "elsewhere")
    first = run_build(ROOT, tmp_path / "first")
    second = run_build(copy.root, tmp_path / "second")
    assert first.returncode == 0, first.output
    assert second.returncode == 0, second.output
    assert checksums(ROOT) == protected, "a build wrote to or deleted from docs/ or data/"
    assert checksums(copy.root) == protected

    one, other = _files(first.site), _files(second.site)
    assert sorted(one) == sorted(other)
    different = [name for name in one if one[name] != other[name]]
    assert different == []
    assert "search/search_index.json" in one and "sitemap.xml" in one and "sitemap.xml.gz" in one

    # The dates in the sitemap are SOURCE_DATE_EPOCH's, never the day of the build.
    day = datetime.datetime.fromtimestamp(EPOCH, datetime.UTC).date().isoformat()
    assert f"<lastmod>{day}</lastmod>" in one["sitemap.xml"].decode("utf-8")
    assert gzip.decompress(one["sitemap.xml.gz"]) == one["sitemap.xml"]
    assert int.from_bytes(one["sitemap.xml.gz"][4:8], "little") == EPOCH  # the gzip header's MTIME


def test_the_makefile_stamps_builds_with_the_time_of_the_last_commit():
    """What `make build` and `make serve` export, asked of make itself, against git's answer."""
    environment = {name: value for name, value in os.environ.items() if name != "SOURCE_DATE_EPOCH"}
    printed = subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(ROOT), "--eval", "print-epoch: ; @echo $$SOURCE_DATE_EPOCH", "print-epoch"],
        capture_output=True, text=True, env=environment, check=True,
    ).stdout.strip()
    committed = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert printed == committed and printed.isdigit()


def _distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_package_the_hooks_import_is_pinned_in_requirements():
    """The README's promise: a package that the hooks import, even one that MkDocs would bring anyway, has an exact pin."""
    pinned = {_distribution(name) for name in re.findall(r"^([A-Za-z0-9_.-]+)==\S+$", (ROOT / "requirements.txt").read_text("utf-8"), re.M)}
    imported = set()
    for path in (ROOT / "hooks").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    installed = importlib.metadata.packages_distributions()
    third_party = {_distribution(name) for module in imported for name in installed.get(module, ())}
    assert {"mkdocs", "markdown", "markupsafe", "watchdog"} <= third_party
    assert third_party <= pinned, f"imported by hooks/ but not pinned in requirements.txt: {sorted(third_party - pinned)}"
