"""The site builds the same with ProperDocs, the maintained continuation of MkDocs 1.x.

MkDocs 1.6.1 has had no release since 2024 and MkDocs 2.0 will run no plugins or hooks;
ProperDocs (``pip install properdocs``, pinned in ``requirements-test.txt``) is the way out.
It reads the same ``mkdocs.yml``, runs Material and the hooks unchanged (it answers their
``import mkdocs...`` with its own modules) and names itself in the ``generator`` tag.

The session's ``site`` is the MkDocs build; here ProperDocs builds the same project, with the
same ``SOURCE_DATE_EPOCH``, into its own folder, and every file of the two sites must be byte
for byte the same, except for the differences in ``EXPLAINED`` below, each with its reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Build, Project
from test_validation import CASES

pytestmark = pytest.mark.slow

EPOCH = "1767225600"  # as conftest.run_build sets SOURCE_DATE_EPOCH: the sitemaps carry it
GENERATOR = re.compile(rb'<meta name="generator" content="mkdocs-([^",]*), ')
EXPLAINED = {
    GENERATOR: "every page's generator tag names the tool that built it: mkdocs-1.6.1 or mkdocs-ProperDocs 1.6.7",
}
"""The only ways the two sites may differ, as patterns blanked in both before they are compared."""


def properdocs_build(project: Path, site: Path, *, strict: bool = True) -> Build:
    """``properdocs build``, as ``conftest.run_build`` runs ``mkdocs build``. The config file is
    named explicitly: ProperDocs looks for ``properdocs.yml`` first and reads ``mkdocs.yml`` only
    as a legacy fallback, with a notice."""
    command = [sys.executable, "-m", "properdocs", "build", "--config-file", str(project / "mkdocs.yml")]
    command += ["--site-dir", str(site)] + (["--strict"] if strict else [])
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH}
    result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=environment)
    return Build(result.returncode, result.stdout + result.stderr, site)


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def _blanked(content: bytes) -> bytes:
    for pattern in EXPLAINED:
        content = pattern.sub(b"<explained difference>", content)
    return content


def _first_difference(one: bytes, other: bytes) -> str:
    for mine, theirs in zip(one.splitlines(), other.splitlines(), strict=False):
        if mine != theirs:
            return f"mkdocs: {mine[:200]!r}\n  properdocs: {theirs[:200]!r}"
    return f"one is longer: {len(one)} against {len(other)} bytes"


def test_properdocs_builds_the_site_byte_for_byte_as_mkdocs_does(site: Build, tmp_path: Path):
    proper = properdocs_build(ROOT, tmp_path / "properdocs")
    assert proper.returncode == 0, proper.output
    assert "Traceback" not in proper.output

    mine, theirs = _files(site.site), _files(proper.site)
    assert sorted(mine) == sorted(theirs)
    unexplained = [
        f"{name}\n  {_first_difference(mine[name], theirs[name])}"
        for name in mine
        if _blanked(mine[name]) != _blanked(theirs[name])
    ]
    assert unexplained == [], "differences no entry of EXPLAINED accounts for:\n" + "\n".join(unexplained)

    # Each site names its own builder: ProperDocs really built the second one, not MkDocs under its name.
    home = "index.html"
    assert GENERATOR.search(mine[home]).group(1)[:1].isdigit()
    assert GENERATOR.search(theirs[home]).group(1).startswith(b"ProperDocs ")
    assert mine["sitemap.xml.gz"] == theirs["sitemap.xml.gz"]  # the same SOURCE_DATE_EPOCH in both


def test_properdocs_strict_build_refuses_a_problem_the_hooks_log(tmp_path: Path):
    """The hooks log through ``mkdocs.plugins.explainer``; ProperDocs must count those messages
    under ``--strict`` as MkDocs does, or a broken page would be published."""
    case = CASES["citation to an unknown source in Markdown"]
    project = Project(tmp_path / "project")
    line = project.replace(case.path, case.old, case.new) + case.line_offset
    build = properdocs_build(project.root, tmp_path / "site")
    assert build.returncode != 0
    assert "Traceback" not in build.output
    assert f"{case.path}:{line}: {case.message}\n" in build.output, build.output
