"""The benchmark's synthetic project still builds. `make bench` is not part of `make test`, so a change
that `bench/synth.py` does not follow (a new data file, a page linking up a folder) would otherwise
be found only by the next person who runs the benchmark."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_build
from explainer.dataset import load_dataset

sys.path.insert(0, str(ROOT / "bench"))
from synth import make_project  # noqa: E402 (bench/ is not a package)

DATA = load_dataset(ROOT).dataset


@pytest.mark.slow
def test_a_synthetic_project_twice_the_size_builds_strictly_with_every_copied_page(tmp_path: Path):
    project = make_project(ROOT, tmp_path / "2x", factor=2, seed=7)
    build = run_build(project.root, tmp_path / "site")
    assert build.returncode == 0, build.output[-3000:]
    copies = sorted((project.root / "docs" / "topics" / "set-002").glob("*.md"))
    assert len(copies) == len(list((ROOT / "docs" / "topics").glob("*.md")))
    built = set(build.pages())
    assert {f"topics/set-002/{page.stem}/" for page in copies} <= built
    glossary_links = build.html("topics/set-002/off-cuda/").select("a.glossary-term")
    assert glossary_links, "the copied topic page links no glossary term"
    # The copies rest on the copies' claims, so "What we know" grows as the other lists do.
    published = json.loads((build.site / "data" / "claims.json").read_text("utf-8"))["claims"]
    assert len(published) == 2 * len(DATA.claims)
    labels = [a["href"].rpartition("#")[2] for a in build.html("topics/set-002/off-cuda/").select("a.claim-label")]
    assert labels and all(label.startswith("claim-") for label in labels)
    assert build.html("topics/set-002/off-cuda/").select("svg a.claim-label, figure a.claim-label")  # the block's too
