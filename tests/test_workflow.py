"""The CI workflow is valid for GitHub and passes zizmor's security audit, offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


def test_workflow_matches_githubs_schema():
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_has_no_medium_or_worse_zizmor_finding():
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--min-severity", "medium", "--format", "plain", str(WORKFLOW)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_the_tests_and_the_strict_build():
    text = WORKFLOW.read_text("utf-8")
    assert "run: make test" in text and "run: make build" in text
    assert "actions/deploy-pages@" in text and "actions/upload-pages-artifact@" in text
