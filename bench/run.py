"""``make bench``: what the hooks cost, at today's size and at 10× and 100× (issues 5 and 15).

    python bench/run.py [--sizes 1 10 100] [--runs 3] [--preview-runs 3] [--large-preview-runs 1] [--seed 7]

For each size, in a temporary folder (never ``data/`` or ``docs/``):

1. ``synth.py`` writes the project at that size;
2. one capturing build (``child.py --capture``, untimed) writes the baseline: every
   page's final Markdown, to be built by plain MkDocs + Material without the hooks;
   and, from the site it built, the reference (``reference.py``): bare Material on as
   many pages, with as many words and headings, of plain text;
3. the full build (with the hooks), the baseline build and the reference build run in
   turn, each in a fresh process, ``--runs`` times each, the order reversed every round
   so that none always runs on a warmer machine;
4. ``preview.py`` times ``mkdocs serve`` from saving a data file, and a Markdown page,
   to the changed page being served (from 100× up, once each by default: every rebuild
   there takes a minute and a half, and the whole benchmark should stay near 20 minutes;
   ``--preview-runs 0`` and ``--large-preview-runs 0`` leave it out).

Medians are reported. Build times are CPU seconds (see ``child.py``); preview times
are wall-clock seconds, since they are what a contributor waits for. The table is
printed, and written to ``bench/results.json`` (for comparing commits) and
``bench/results.md`` (shown in the README's "Performance" section).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import baseline
import preview
import reference
import synth

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
STEPS = ("load", "validate", "generate", "pages", "backlinks")
STEP_NAMES = {
    "load": "load (read data/, build the matchers)",
    "validate": "validate (cross-file checks)",
    "generate": "generate (the data pages)",
    "pages": "link citations and terms, per page",
    "backlinks": "back-links (once every page is done)",
}
BUILDS = ("full", "baseline", "reference")
GROWTH_LIMIT = 11.0
"""How many times its cost at 10× a cost at 100× may be (issue 15): ten times the data, with one tenth
for timing noise. A cost linear in the data from a fixed start-up stays under ten; a step quadratic in
terms × pages would cost a hundred times."""
PREVIEW_LIMIT_S = 44.0
"""The longest a data edit may take to show in ``mkdocs serve`` at 100× (issue 15: half of the 88 s
measured on 2026-11-23)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100], help="factors of today's size")
    parser.add_argument("--runs", type=int, default=3, help="timed builds of each kind per size")
    parser.add_argument("--preview-runs", type=int, default=3, help="edits of each kind per size in mkdocs serve (0: none)")
    parser.add_argument("--large-preview-runs", type=int, default=1, help="the same, from 100× up")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic data")
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="writes OUT.json and OUT.md")
    arguments = parser.parse_args(argv)

    started = time.monotonic()
    sizes = {}
    with tempfile.TemporaryDirectory(prefix="explainer-bench-") as folder:
        for factor in arguments.sizes:
            print(f"-- {factor}×", file=sys.stderr, flush=True)
            sizes[str(factor)] = measure_size(Path(folder), factor, arguments)
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "settings": {
            "runs": arguments.runs,
            "preview_runs": arguments.preview_runs,
            "large_preview_runs": arguments.large_preview_runs,
            "seed": arguments.seed,
        },
        "minutes": round((time.monotonic() - started) / 60, 1),
        "sizes": sizes,
        "targets": targets(sizes),
    }
    table = markdown(results)
    print(table)
    arguments.out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    arguments.out.with_suffix(".md").write_text(table, encoding="utf-8")
    return 0


# -- measuring ------------------------------------------------------------------------------


def measure_size(folder: Path, factor: int, arguments: argparse.Namespace) -> dict:
    """Every measure of one size: the builds' medians, the hook steps', the built sites', the preview's."""
    project = synth.make_project(REPO, folder / f"{factor}x", factor, arguments.seed)
    configs = {"full": "mkdocs.yml", "baseline": write_baseline(project)}
    sites = {"full": reference.measure(project.root / "site")}  # the capturing build's site is the full build's
    configs["reference"] = write_reference(project, sites["full"], f"{arguments.seed}-{factor}")
    runs: dict[str, list[dict]] = {kind: [] for kind in BUILDS}
    for run in range(arguments.runs):
        for kind in BUILDS if run % 2 == 0 else BUILDS[::-1]:
            runs[kind].append(build(project.root, configs[kind]))
            print(f"   {kind} build {run + 1}: {runs[kind][-1]['build_s']:.2f} s", file=sys.stderr, flush=True)
            if kind == "reference" and run == 0:
                sites["reference"] = reference.measure(project.root / "site")
    edits = arguments.large_preview_runs if factor >= 100 else arguments.preview_runs
    timeout = 120 + 3 * factor  # a rebuild at 100× takes about a minute and a half
    served = None
    if edits:
        served = preview.measure(project.root, project.data_edit, project.markdown_edit, edits, environment(), timeout)
    shutil.rmtree(project.root)
    return {
        "counts": {**project.counts, "pages": sites["full"]["pages"]},  # the pages the full build made
        **{kind: summary(runs[kind]) for kind in BUILDS},
        "sites": sites,
        "hooks": {step: median(run["hooks"].get(step, 0.0) for run in runs["full"]) for step in (*STEPS, "total")},
        "preview": served,
    }


def write_baseline(project: synth.Project) -> str:
    """Capture the pages as the hooks make them (one untimed build); return the baseline's configuration.

    What the baseline could not reproduce (``baseline.py``'s "not placed") is passed on, never hidden.
    """
    docs = project.root / "baseline-docs"
    capture = ["mkdocs.yml", str(project.root / "site"), "--strict", "--capture", str(docs)]
    for line in run_child(project.root, capture).stderr.splitlines():
        if line.startswith("baseline:"):
            print(f"   {line}", file=sys.stderr, flush=True)
    config = baseline.config_text((project.root / "mkdocs.yml").read_text("utf-8"), str(docs), baseline.captured_nav(docs))
    (project.root / "baseline.yml").write_text(config, encoding="utf-8")
    return "baseline.yml"


def write_reference(project: synth.Project, full: dict, seed: str) -> str:
    """Write the reference's pages, at the paths of the full build's, and return its configuration."""
    captured = project.root / "baseline-docs"
    pages = sorted(path.relative_to(captured).as_posix() for path in captured.rglob("*.md"))
    if len(pages) != full["pages"]:
        print(f"   reference: {len(pages)} pages, the full build {full['pages']}", file=sys.stderr, flush=True)
    docs = project.root / "reference-docs"
    reference.write(pages, full, docs, seed)
    config = reference.config_text((project.root / "mkdocs.yml").read_text("utf-8"), str(docs),
                                   baseline.captured_nav(captured))
    (project.root / "reference.yml").write_text(config, encoding="utf-8")
    return "reference.yml"


def build(root: Path, config: str) -> dict:
    """One timed build in a fresh process, into an empty site folder."""
    site = root / "site"
    shutil.rmtree(site, ignore_errors=True)
    return json.loads(run_child(root, [config, str(site), "--strict"]).stdout)


def run_child(root: Path, arguments: list[str]) -> subprocess.CompletedProcess:
    """Run ``child.py`` in ``root``; what it printed, or an error with the end of it."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "child.py"), *arguments],
        cwd=root,
        env=environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        raise RuntimeError(f"child.py {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return done


def environment() -> dict[str, str]:
    """The builds' environment: no end-of-life notice from Material, no build date in the pages."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}


def summary(runs: list[dict]) -> dict:
    """The medians of one kind of build; each run's time is kept, to see the spread."""
    return {
        "build_s": median(run["build_s"] for run in runs),
        "build_wall_s": median(run["build_wall_s"] for run in runs),
        "max_rss_mib": median(run["max_rss_mib"] for run in runs),
        "warnings": max(run["warnings"] for run in runs),
        "build_s_runs": [run["build_s"] for run in runs],
    }


def median(values) -> float:
    return statistics.median(list(values))


def machine() -> dict:
    """What the figures were measured on, for whoever compares them."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
    }


# -- targets --------------------------------------------------------------------------------


def targets(sizes: dict) -> list[dict]:
    """Each target of the issue that these sizes can judge: what it asks, the figure, met or not."""
    found = []

    def judge(name: str, value: float, limit: float, at_most: bool = True, shown: str = "{:.2f}") -> None:
        met = value <= limit if at_most else value >= limit
        found.append({"target": name, "value": round(value, 4), "shown": shown.format(value), "met": met})

    for factor in ("1", "100"):
        if factor in sizes:
            judge(f"full / baseline build time at {factor}× ≤ 1.10", ratio(sizes[factor], "build_s"), 1.10)
    if "100" in sizes:
        large = sizes["100"]
        judge("full / reference build time at 100× ≤ 2.0", ratio(large, "build_s", "reference"), 2.0)
        judge("peak memory ≤ 1.2× the reference's at 100×", ratio(large, "max_rss_mib", "reference"), 1.2)
        share = large["hooks"]["total"] / large["full"]["build_s"]
        judge("hook time ≤ 10% of the full build at 100×", share, 0.10, shown="{:.1%}")
        judge("throughput (pages/s) ≥ 0.85 of the baseline's at 100×", 1 / ratio(large, "build_s"), 0.85, False)
        judge("peak memory ≤ 1.2× the baseline's at 100×", ratio(large, "max_rss_mib"), 1.2)
    if {"10", "100"} <= sizes.keys():
        growth = {what: hundred / ten for what, (ten, hundred) in growth_measures(sizes).items()}
        for what in ("full build", "hooks"):
            shown = "{:.1f}×" + (f" (reference {growth['reference build']:.1f}×)" if what == "full build" else "")
            judge(f"growth from 10× to 100×: {what} ≤ {GROWTH_LIMIT:.0f}×", growth[what], GROWTH_LIMIT, shown=shown)
    for factor, size in sizes.items():
        if size["preview"]:
            judge(f"preview: data edit ≤ 1.2× a Markdown edit at {factor}×", size["preview"]["ratio"], 1.2)
    if "100" in sizes and sizes["100"]["preview"]:
        judge(f"preview: data edit at 100× ≤ {PREVIEW_LIMIT_S:.0f} s", sizes["100"]["preview"]["data_edit_s"],
              PREVIEW_LIMIT_S, shown="{:.1f} s")
    return found


def ratio(size: dict, measure: str, other: str = "baseline") -> float:
    return size["full"][measure] / size[other][measure]


def growth_measures(sizes: dict) -> dict[str, tuple[float, float]]:
    """The costs at 10× and 100× whose growth is judged (the full build's, the hooks') or shown
    beside them (the reference's)."""

    def at(get) -> tuple[float, float]:
        return get(sizes["10"]), get(sizes["100"])

    return {"full build": at(lambda size: size["full"]["build_s"]),
            "reference build": at(lambda size: size["reference"]["build_s"]),
            "hooks": at(lambda size: size["hooks"]["total"])}


# -- the table ------------------------------------------------------------------------------


def markdown(results: dict) -> str:
    """The results as Markdown: one table of measures by size, then the targets."""
    sizes = results["sizes"]
    factors = list(sizes)
    rows = [
        ("Sources / terms / events / topic pages", lambda s: "{sources} / {terms} / {events} / {topic_pages}".format(**s["counts"])),
        ("Pages built", lambda s: f"{s['counts']['pages']}"),
        ("Full build (with the hooks), s", lambda s: f"{s['full']['build_s']:.2f}"),
        ("Baseline build (same pages, no hooks), s", lambda s: f"{s['baseline']['build_s']:.2f}"),
        ("Full / baseline", lambda s: f"{ratio(s, 'build_s'):.3f}"),
        ("Throughput, full / baseline (pages/s)", lambda s: _throughput(s)),
        ("Hook time, s (share of the full build)", lambda s: f"{s['hooks']['total']:.2f} ({s['hooks']['total'] / s['full']['build_s']:.1%})"),
        *[(f"– {STEP_NAMES[step]}", lambda s, step=step: f"{s['hooks'][step]:.3f}") for step in STEPS],
        ("Peak memory, full / baseline, MiB", lambda s: _memory(s, "baseline")),
        ("Reference build (bare Material, as many pages, words and headings), s", lambda s: f"{s['reference']['build_s']:.2f}"),
        ("Full / reference", lambda s: f"{ratio(s, 'build_s', 'reference'):.2f}"),
        ("Peak memory, full / reference, MiB", lambda s: _memory(s, "reference")),
        ("Words / headings per page, full and reference", lambda s: f"{_per_page(s, 'full')} and {_per_page(s, 'reference')}"),
        ("Largest HTML page, full / reference, KiB", lambda s: _sites(s, "largest_page_kib", " ({largest_page})")),
        ("Search index, full / reference, KiB", lambda s: _sites(s, "search_index_kib")),
        ("Preview rebuild, data / Markdown edit, s", lambda s: _preview(s["preview"])),
    ]
    lines = [
        "| Measure (median) | " + " | ".join(f"{factor}×" for factor in factors) + " |",
        "|---|" + "---:|" * len(factors),
    ]
    lines += [f"| {name} | " + " | ".join(cell(sizes[factor]) for factor in factors) + " |" for name, cell in rows]
    settings, machine_ = results["settings"], results["machine"]
    lines += [
        "",
        f"Build times are CPU seconds, medians of {settings['runs']} alternating runs; preview times are "
        f"wall-clock seconds, medians of {settings['preview_runs']} edits of each kind "
        f"({settings['large_preview_runs']} from 100× up). "
        f"Measured {results['date']} on {machine_['cpu']} ({machine_['cores']} cores), "
        f"Python {machine_['python']}, in {results['minutes']} minutes.",
        "",
        "| Target | Measured | Met |",
        "|---|---:|---|",
    ]
    lines += [f"| {t['target']} | {t['shown']} | {'yes' if t['met'] else '**no**'} |" for t in results["targets"]]
    return "\n".join(lines) + "\n"


def _throughput(size: dict) -> str:
    pages = size["counts"]["pages"]
    full, base = pages / size["full"]["build_s"], pages / size["baseline"]["build_s"]
    return f"{full:.1f} / {base:.1f} ({full / base:.2f})"


def _memory(size: dict, other: str) -> str:
    full, base = size["full"]["max_rss_mib"], size[other]["max_rss_mib"]
    return f"{full:.0f} / {base:.0f} ({full / base:.2f}×)"


def _per_page(size: dict, kind: str) -> str:
    site = size["sites"][kind]
    return f"{site['words'] / site['pages']:.0f} / {site['headings'] / site['pages']:.1f}"


def _sites(size: dict, measure: str, where: str = "") -> str:
    """The full build's site measure (with ``where`` it is, formatted from its site) / the reference's."""
    full, other = size["sites"]["full"], size["sites"]["reference"]
    return f"{full[measure]:,.0f}{where.format(**full)} / {other[measure]:,.0f}"


def _preview(served: dict | None) -> str:
    if not served:
        return "not measured"
    return f"{served['data_edit_s']:.2f} / {served['markdown_edit_s']:.2f} ({served['ratio']:.2f}×)"


if __name__ == "__main__":
    sys.exit(main())
