"""``python -m explainer check`` checks the data; ``python -m explainer render DIR`` writes the pages.

Run from the project root with ``hooks`` on the path (``make check`` does both).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .parts import DEFAULT_SPLIT_ABOVE
from .site import Site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explainer", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check data/ and print every problem as path:line: message")
    render = commands.add_parser("render", help="write the generated pages' Markdown into a folder")
    render.add_argument("out", type=Path, help="the folder to write into (not inside docs/ or data/)")
    render.add_argument(
        "--split-above", type=_positive, default=DEFAULT_SPLIT_ABOVE, metavar="N",
        help=f"split a generated list of more than N entries into pages, as extra.explainer.split_above does (default {DEFAULT_SPLIT_ABOVE})",
    )
    arguments = parser.parse_args(argv)

    root = arguments.root.resolve()
    if arguments.command == "render":
        refused = _protected(arguments.out, root)
        if refused:
            print(refused, file=sys.stderr)
            return 2
    site = Site(root, split_above=getattr(arguments, "split_above", DEFAULT_SPLIT_ABOVE))
    for problem in site.problems:
        print(problem, file=sys.stderr)
    if site.problems:
        print(f"{len(site.problems)} problem(s) in the data", file=sys.stderr)
        return 1
    if arguments.command == "render":
        for page in site.pages():
            path = arguments.out / page.src_uri
            path.parent.mkdir(parents=True, exist_ok=True)
            refused = _protected(path, root)  # a link inside the folder could lead there too
            if refused:
                print(refused, file=sys.stderr)
                return 2
            path.write_text(page.markdown, encoding="utf-8")
    else:
        print(f"data OK: {len(site.dataset.sources)} sources, {len(site.dataset.terms)} terms, "
              f"{len(site.dataset.events)} events, {len(site.dataset.entities)} entities, {len(site.dataset.claims)} claims")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number, 1 or more, is needed; found {text!r}")
    return int(text)


def _protected(target: Path, root: Path) -> str | None:
    """Why nothing may be written to ``target``: it is, or leads (through links), inside docs/ or data/."""
    resolved = target.resolve()
    for folder in ("docs", "data"):
        if resolved.is_relative_to((root / folder).resolve()):
            return (
                f"{target}: inside {folder}/, which the generator never writes to; "
                "choose a folder outside docs/ and data/"
            )
    return None


if __name__ == "__main__":
    sys.exit(main())
