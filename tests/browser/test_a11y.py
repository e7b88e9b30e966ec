"""axe-core, injected into every page in Chromium: no violation of impact "serious" or "critical".

Every page is checked with every rule in the light colour scheme, and with the rules that depend on colours
in the dark one (a reader's system preference picks the scheme; nothing else changes with it); the search
dialog, open with results, with every rule in both. What cannot be fixed is listed in ``axe-allow.yaml``
with its reason.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import yaml

from .conftest import AXE_VIOLATIONS, READINGS, Tab, node_tool, search

pytestmark = pytest.mark.browser

ALLOW_FILE = Path(__file__).with_name("axe-allow.yaml")


def _allow_list() -> list[dict]:
    entries = yaml.safe_load(ALLOW_FILE.read_text("utf-8")) or []
    for entry in entries:
        assert {"rule", "target", "reason"} <= entry.keys() <= {"rule", "target", "pages", "reason"}, entry
        assert entry["reason"].strip(), f"{entry}: give the reason"
    return entries


class Audit:
    """axe-core's serious and critical violations, less the allowed ones; which allowances were used."""

    def __init__(self) -> None:
        self.allowed = _allow_list()
        self.used: set[int] = set()

    def unexpected(self, page: str, found: list[dict], label: str) -> list[str]:
        unexpected = []
        for violation in found:
            allowed = [
                index for index, entry in enumerate(self.allowed)
                if entry["rule"] == violation["rule"] and entry["target"] == violation["target"]
                and fnmatchcase(page, entry.get("pages", "*"))
            ]
            self.used.update(allowed)
            if not allowed:
                unexpected.append(
                    f"{page or 'home'} ({label}): {violation['rule']} ({violation['impact']}) at "
                    f"{violation['target']!r}: {violation['help']}\n    {violation['summary']}"
                )
        return unexpected


@pytest.fixture(scope="module")
def audit() -> Audit:
    return Audit()


@pytest.mark.parametrize("reading", [name for name, (_, _, rules, _) in READINGS.items() if rules is not False])
def test_no_serious_violation_on_any_page(visits, audit: Audit, reading: str):
    scheme = "slate" if reading.endswith("dark") else "default"
    assert {visit.scheme for visit in visits(reading)} == {scheme}, "the pages did not follow the reader's scheme"
    found = [line for visit in visits(reading) for line in audit.unexpected(visit.page, visit.axe, reading)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violation_in_the_open_search_dialog(open_tab, audit: Audit, scheme: str):
    tab: Tab = open_tab(color_scheme=scheme)
    tab.goto("")
    assert search(tab, "CANN")  # results, a code block among them
    tab.page.add_script_tag(path=str(node_tool("axe-core/axe.min.js")))
    found = audit.unexpected("", tab.page.evaluate(AXE_VIOLATIONS, None), f"search open, {scheme}")
    assert found == [], "\n".join(found)


def test_every_allowed_violation_still_happens(audit: Audit, request: pytest.FixtureRequest):
    """An allow-list entry whose violation is gone must go too, or it would hide the next one."""
    if request.session.testsfailed:
        pytest.skip("only meaningful when the checks above passed")  # a failed check may have stopped early
    stale = [entry for index, entry in enumerate(audit.allowed) if index not in audit.used]
    assert stale == [], f"remove from {ALLOW_FILE.name}: {stale}"
