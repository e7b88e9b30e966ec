"""The generated lists split into pages above ``extra.explainer.split_above`` (explainer.parts), and
every link to a term, an entity, an event or a source follows its entry to its page.

The real site is built twice more: with the threshold at the largest list's size (no split, so
the same bytes as the session's site) and at 4 (every list split, some groups into numbered
parts); both builds are read as HTML.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, Build, Project
from explainer.dataset import load_dataset
from explainer.model import STATUSES
from explainer.parts import DEFAULT_SPLIT_ABOVE, OTHER_INITIAL, Parts, initial, nav_with_parts
from explainer_hooks import _split_above
from mkdocs.exceptions import PluginError

DATA = load_dataset(ROOT).dataset
SPLIT_ABOVE = 4
"""Small enough that every list of the real data splits (5 sources), and most groups into several parts."""
LARGEST_LIST = max(len(DATA.terms), len(DATA.entities), len(DATA.events), len(DATA.sources), len(DATA.claims))
SITE_URL = "http://127.0.0.1:8000/"  # mkdocs.yml's default


def _build_with_threshold(tmp_path_factory: pytest.TempPathFactory, split_above: int) -> Build:
    project = Project(tmp_path_factory.mktemp("parts") / "project")
    project.replace("mkdocs.yml", "split_above: 100", f"split_above: {split_above}")
    build = project.build()
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return _build_with_threshold(tmp_path_factory, SPLIT_ABOVE)


@pytest.fixture(scope="module")
def split_parts() -> Parts:
    return Parts(DATA, SPLIT_ABOVE)


def _site_path(src_uri: str) -> str:
    """A generated page's path in the site (use_directory_urls): ``glossary/a.md`` is ``glossary/a/``."""
    return re.sub(r"(^|/)index$", "", src_uri.removesuffix(".md")) + "/"


# -- the rule, on the real data ------------------------------------------------------------------


def test_todays_data_stays_on_single_pages_at_the_default_threshold():
    assert LARGEST_LIST <= DEFAULT_SPLIT_ABOVE
    for listing in Parts(DATA).listings():
        assert listing.parts == ()
        assert listing.pages() == [listing.index]


@pytest.mark.parametrize("split_above", [1, 2, 4, 10, 40, 41, len(DATA.claims)])
def test_every_entry_is_on_exactly_one_part_of_at_most_split_above(split_above: int):
    parts = Parts(DATA, split_above)
    expected = {
        "glossary.md": [term.id for term in DATA.terms],
        "who.md": [entity.id for entity in DATA.entities],
        "timeline.md": [event.id for event in DATA.events],
        "sources/index.md": list(DATA.sources),
        "what-we-know.md": [claim.id for claim in DATA.claims],
    }
    for listing in parts.listings():
        ids = expected[listing.index]
        if len(ids) <= split_above:
            assert listing.parts == ()
            continue
        placed = [entry.id for part in listing.parts for entry in part.entries]
        assert sorted(placed) == sorted(ids), listing.index  # none lost, none twice
        assert all(0 < len(part.entries) <= split_above for part in listing.parts)
        assert len({part.src_uri for part in listing.parts}) == len(listing.parts)
        for part in listing.parts:
            assert all(listing.page_of(entry.id) == part.src_uri for entry in part.entries)


def test_terms_are_grouped_by_initial_and_the_rest_goes_to_other():
    term = DATA.terms[0]
    assert initial(dataclasses.replace(term, term="昇腾")) == OTHER_INITIAL
    assert initial(dataclasses.replace(term, term="3FS")) == OTHER_INITIAL
    assert initial(dataclasses.replace(term, term="ascend")) == "a"
    chinese = dataclasses.replace(DATA, terms=(*DATA.terms, dataclasses.replace(term, id="zh-term", term="超节点")))
    glossary = Parts(chinese, 10).glossary
    assert glossary.page_of("zh-term") == "glossary/other.md"
    assert glossary.parts[-1].src_uri == "glossary/other.md"  # after Z


def test_a_group_larger_than_the_threshold_is_cut_into_numbered_parts_the_first_keeping_its_path():
    who = Parts(DATA, SPLIT_ABOVE).who
    organisations = [part for part in who.parts if part.group.key == "organisation"]
    assert len(organisations) > 1
    assert [part.src_uri for part in organisations[:2]] == ["who/organisation.md", "who/organisation-2.md"]
    assert organisations[1].title == f"Organisations (2 of {len(organisations)})"


def test_the_nav_gets_a_section_for_each_split_list_and_keeps_the_rest(split_parts: Parts):
    nav = [{"Home": "index.md"}, {"Glossary": "glossary.md"}, "who.md", {"More": [{"Sources": "sources/index.md"}]}]
    rewritten = nav_with_parts(nav, split_parts.listings())
    glossary, who = split_parts.glossary, split_parts.who
    assert rewritten[0] == {"Home": "index.md"}
    # At the top level, the parts go one level down, where navigation.prune hides them from other pages.
    assert rewritten[1] == {"Glossary": ["glossary.md", {"By initial": glossary.pages()[1:]}]}
    assert rewritten[2] == {"Who's who": ["who.md", {"By kind": who.pages()[1:]}]}
    assert rewritten[3] == {"More": [{"Sources": split_parts.sources.pages()}]}
    assert nav_with_parts(nav, Parts(DATA).listings()) == nav


def test_a_section_holding_only_a_split_lists_page_becomes_that_lists_section(split_parts: Parts):
    """mkdocs.yml wraps the sources index in a section of its own (see its comment); split, that section
    holds the parts directly rather than a second "Sources" section inside it."""
    nav = [{"Reference": [{"Sources": ["sources/index.md"]}]}]
    assert nav_with_parts(nav, split_parts.listings()) == [{"Reference": [{"Sources": split_parts.sources.pages()}]}]
    assert nav_with_parts(nav, Parts(DATA).listings()) == nav


class _Config:
    def __init__(self, extra: dict) -> None:
        self.extra = extra


@pytest.mark.parametrize("extra", [{"explainer": {"split_above": 0}}, {"explainer": {"split_above": "many"}},
                                   {"explainer": {"split_above": True}}, {"explainer": "100"}])
def test_a_threshold_that_is_not_a_whole_number_of_entries_stops_the_build(extra: dict):
    with pytest.raises(PluginError, match=r"extra\.explainer\.split_above in mkdocs\.yml must be a whole number"):
        _split_above(_Config(extra))


def test_the_threshold_defaults_when_not_set():
    assert _split_above(_Config({})) == DEFAULT_SPLIT_ABOVE
    assert _split_above(_Config({"explainer": {"split_above": 7}})) == 7


# -- today's size: no split, the same site ------------------------------------------------------


def test_at_the_threshold_nothing_splits_and_the_site_is_the_same_bytes(site: Build, tmp_path_factory):
    at_threshold = _build_with_threshold(tmp_path_factory, LARGEST_LIST)  # "above" is strict
    files = sorted(path.relative_to(site.site) for path in site.site.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(at_threshold.site) for path in at_threshold.site.rglob("*") if path.is_file())
    different = [path for path in files if (site.site / path).read_bytes() != (at_threshold.site / path).read_bytes()]
    assert different == []
    assert not (site.site / "glossary" / "a").exists()


# -- a site that splits -------------------------------------------------------------------------


def test_a_page_outside_a_list_has_at_most_one_of_its_parts_in_its_navigation(site: Build, split_site: Build, split_parts: Parts):
    """"What we know" is a top-level entry: split, its parts still stay out of other pages' navigation,
    but for the link of its collapsed "By status" section (to the first part)."""
    for page in ("", "story/", "topics/how-sure/"):
        nav = split_site.html(page).select_one("nav.md-nav--primary")
        in_nav = {_resolve(page, a["href"]) for a in nav.find_all("a", href=True)}
        for listing in split_parts.listings():
            assert len(in_nav & {_site_path(part.src_uri) for part in listing.parts}) <= 1, (page, listing.index)
    links = [len(build.html("story/").select("nav.md-nav--primary a[href]")) for build in (site, split_site)]
    assert links[1] <= links[0] + len(split_parts.listings()), links


def test_every_part_page_exists_and_its_index_and_the_nav_link_to_it(split_site: Build, split_parts: Parts):
    for listing in split_parts.listings():
        assert listing.parts, listing.index
        index, first = _site_path(listing.index), _site_path(listing.parts[0].src_uri)
        linked = {_resolve(index, a["href"]) for a in split_site.html(index).select("article a[href]")}
        nav = split_site.html(first).select_one("nav.md-nav--primary")
        in_nav = {_resolve(first, a["href"]) for a in nav.find_all("a", href=True)}
        for part in listing.parts:
            page = _site_path(part.src_uri)
            assert (split_site.site / page / "index.html").is_file(), page
            assert page in linked and page in in_nav, page
            assert split_site.html(page).h1.get_text(strip=True).startswith(f"{listing.title}: {part.title}")


def test_no_entry_is_lost_or_shown_twice(split_site: Build, split_parts: Parts):
    shown = {
        "glossary.md": ("h2", [term.id for term in DATA.terms]),
        "who.md": ("h3", [entity.id for entity in DATA.entities]),
        "timeline.md": ("h2, h3", [event.id for event in DATA.events]),
        "what-we-know.md": ("h2, h3", [claim.id for claim in DATA.claims]),
    }
    for listing in (split_parts.glossary, split_parts.who, split_parts.timeline, split_parts.claims):
        headings, ids = shown[listing.index]
        found = Counter(
            heading.get("id")
            for page in listing.pages()
            for heading in split_site.html(_site_path(page)).select(f"article :is({headings})[id]")
            if heading.get("id") in ids
        )
        assert sorted(found) == sorted(ids) and set(found.values()) == {1}, listing.index
        for part in listing.parts:
            on_page = {h.get("id") for h in split_site.html(_site_path(part.src_uri)).select(f"article :is({headings})[id]")}
            assert {entry.id for entry in part.entries} <= on_page
    rows = Counter(
        _resolve(_site_path(part.src_uri), row.a["href"])
        for part in split_parts.sources.parts
        for row in split_site.html(_site_path(part.src_uri)).select("article tbody tr")
    )
    assert rows == Counter(f"sources/{source_id}/" for source_id in DATA.sources)


def test_every_internal_link_and_anchor_resolves(split_site: Build):
    broken, checked = [], Counter()
    anchors: dict[str, set[str]] = {}
    for page in split_site.pages():
        for a in split_site.html(page).select("article a[href]"):
            href = a["href"]
            if urlsplit(href).scheme or href.startswith("mailto:"):
                continue
            target, _, fragment = href.partition("#")
            target_page = _resolve(page, target) if target else page
            classes = a.get("class") or []
            kind = next((name for name in ("glossary-term", "claim-label") if name in classes), target_page.split("/")[0])
            checked[kind] += 1
            problem = _link_problem(split_site, target_page, unquote(fragment), anchors)
            if problem:
                broken.append(f"{page}: {href}: {problem}")
    assert broken == []
    # Links of each kind were followed: tooltips, and links into every split list.
    assert all(checked[kind] > 0 for kind in ("glossary-term", "claim-label", "glossary", "who", "timeline", "sources")), checked


def test_glossary_links_and_back_links_lead_to_the_terms_part(split_site: Build, split_parts: Parts):
    followed = 0
    for page in split_site.pages():
        for a in split_site.html(page).select("a.glossary-term"):
            term_id = a["href"].rpartition("#")[2]
            assert _resolve(page, a["href"]) == _site_path(split_parts.term_page(term_id)), (page, a["href"])
            followed += 1
    assert followed > 0
    # "Used on" of a term on a part page: the pages that use it, not the part itself.
    cann = _site_path(split_parts.term_page("cann"))
    used_on = split_site.html(cann).find(id="cann").find_next(class_="explainer-backlinks")
    targets = [_resolve(cann, a["href"]) for a in used_on.find_all("a")]
    assert targets and cann not in targets
    assert all((split_site.site / target / "index.html").is_file() for target in targets)


def test_lists_of_pages_show_at_most_split_above_and_count_the_rest(split_site: Build, split_parts: Parts):
    cann = _site_path(split_parts.term_page("cann"))
    using = {page for page in split_site.pages() if page != cann
             for a in split_site.html(page).select("a.glossary-term") if a["href"].endswith("#cann")}
    used_on = split_site.html(cann).find(id="cann").find_next("ul", class_="explainer-backlinks")
    more = used_on.find_next_sibling("p", class_="explainer-backlinks")
    assert len(using) > SPLIT_ABOVE and len(used_on.find_all("li")) == SPLIT_ABOVE
    assert more.get_text(strip=True) == f"And {len(using) - SPLIT_ABOVE} more pages of this site."
    lists = [ul for page in split_site.pages() for ul in split_site.html(page).select("ul.explainer-backlinks")]
    assert max(len(ul.find_all("li")) for ul in lists) == SPLIT_ABOVE
    cited_on = split_site.html("sources/mittr-three-reasons/text/").select("span.explainer-cited-on")
    assert max(len(span.find_all("a")) for span in cited_on) == SPLIT_ABOVE
    assert any(re.search(r" and \d+ more pages?$", span.get_text()) for span in cited_on)


def test_a_list_of_pages_puts_the_pages_written_in_docs_first(split_site: Build, split_parts: Parts):
    written = {_resolve("", _site_path(path.relative_to(ROOT / "docs").as_posix())) for path in (ROOT / "docs").rglob("*.md")}
    mixed = 0
    for page in split_site.pages():
        for listed in split_site.html(page).select("ul.explainer-backlinks, span.explainer-cited-on"):
            made_from_data = [_resolve(page, a["href"]) not in written for a in listed.find_all("a")]
            assert made_from_data == sorted(made_from_data), (page, listed)
            mixed += len(set(made_from_data)) == 2
    assert mixed > 0
    # A cut list drops pages made from the data before any page written in docs/.
    cann = _site_path(split_parts.term_page("cann"))
    using = {page for page in written for a in split_site.html(page).select("a.glossary-term") if a["href"].endswith("#cann")}
    used_on = split_site.html(cann).find(id="cann").find_next("ul", class_="explainer-backlinks")
    shown = {_resolve(cann, a["href"]) for a in used_on.find_all("a")}
    assert len(shown) == SPLIT_ABOVE and (shown <= using if len(using) >= SPLIT_ABOVE else using <= shown)


def test_claim_labels_lead_to_the_claims_part(split_site: Build, split_parts: Parts):
    anchors: dict[str, set[str]] = {}
    followed = Counter()
    for page in split_site.pages():
        for label in split_site.html(page).select("a.claim-label"):
            claim_id = label["href"].rpartition("#")[2]
            target = _resolve(page, label["href"])
            assert target == _site_path(split_parts.claim_page(claim_id)), (page, label["href"])
            assert _link_problem(split_site, target, claim_id, anchors) is None
            followed[target] += 1
    # Labels in the text, in the table of disagreements and in the diagrams' raw HTML, into several parts.
    assert len(followed) > 3 and "what-we-know/" not in followed, followed


def test_what_we_know_keeps_each_status_and_links_its_parts_under_it(split_site: Build, split_parts: Parts):
    index = split_site.html("what-we-know/").select_one("article")
    for status in STATUSES:
        heading = index.find("h2", id=f"status-{status.id}")
        assert status.meaning in heading.find_next("p").get_text()
        linked = [_resolve("what-we-know/", a["href"]) for a in heading.find_next("ul").find_all("a")]
        parts = [_site_path(part.src_uri) for part in split_parts.claims.parts if part.group.key == status.id]
        assert parts and linked == parts, status.id
    assert not index.select("h3")  # the claims are on the parts, not here
    disputed = split_parts.claims.parts[-1]
    assert split_site.html(_site_path(disputed.src_uri)).h1.get_text(strip=True).startswith("What we know: Disputed")


def _disagreements(build: Build, page: str) -> tuple[int, str]:
    """The rows of the page's table of disagreements, and the paragraph after it."""
    table = next(table for table in build.html(page).select("article table") if "One account" in table.get_text())
    after = table.find_next_sibling()
    return len(table.select("tbody tr")), after.get_text(" ", strip=True) if after else ""


def test_the_table_of_disagreements_stays_bounded_and_says_what_it_leaves_out(site: Build, split_site: Build):
    disputed = sum(claim.status.id == "disputed" for claim in DATA.claims)
    assert disputed > SPLIT_ABOVE
    for page in ("topics/how-sure/", "what-we-know/"):
        rows, after = _disagreements(site, page)
        assert rows == disputed and "disputed claims" not in after
        rows, after = _disagreements(split_site, page)
        assert rows == SPLIT_ABOVE
        assert after.startswith(f"The table shows {SPLIT_ABOVE} of the {disputed} disputed claims")


def test_published_json_and_json_ld_point_at_the_part_pages(split_site: Build, split_parts: Parts):
    anchors: dict[str, set[str]] = {}
    where = {"glossary": ("terms", split_parts.term_page), "timeline": ("events", split_parts.event_page),
             "entities": ("entities", split_parts.entity_page), "claims": ("claims", split_parts.claim_page)}
    for name, (key, page_of) in where.items():
        for item in json.loads((split_site.site / "data" / f"{name}.json").read_text("utf-8"))[key]:
            target, _, fragment = item["page"].partition("#")
            assert _resolve("data/", target) == _site_path(page_of(item["id"])), item["page"]
            assert _link_problem(split_site, _resolve("data/", target), fragment, anchors) is None
    for part in split_parts.glossary.parts:
        page = _site_path(part.src_uri)
        script = split_site.html(page).find("script", type="application/ld+json")
        linked = json.loads(script.string)
        assert linked["@id"] == SITE_URL + "glossary/"
        assert [term["url"] for term in linked["hasDefinedTerm"]] == sorted(
            f"{SITE_URL}{page}#{term.id}" for term in part.entries
        )


def test_search_indexes_every_part(split_site: Build, split_parts: Parts):
    indexed = {document["location"] for document in json.loads((split_site.site / "search/search_index.json").read_text("utf-8"))["docs"]}
    for listing in split_parts.listings():
        assert {_site_path(part.src_uri) for part in listing.parts} <= indexed


def test_no_generated_list_page_grows_with_its_list(site: Build, split_site: Build, split_parts: Parts):
    """Each part holds at most SPLIT_ABOVE entries (checked above), so its size is bounded: here,
    well under the whole glossary's at today's size, although the split site's navigation is longer."""
    whole_glossary = (site.site / "glossary" / "index.html").stat().st_size
    largest = max(
        (split_site.site / page / "index.html").stat().st_size
        for listing in split_parts.listings()
        for page in map(_site_path, listing.pages())
    )
    assert largest < whole_glossary / 3


# -- helpers --------------------------------------------------------------------------------------


def _resolve(page: str, href: str) -> str:
    """A relative href on ``page`` (a site path) as a site path, without its anchor."""
    parts = [part for part in page.split("/") if part]
    for step in href.split("#")[0].split("/"):
        if step == "..":
            parts.pop()
        elif step and step != ".":
            parts.append(step)
    path = "/".join(parts)
    return path if "." in (parts[-1] if parts else "") else (path + "/" if path else "")


def _link_problem(build: Build, target: str, fragment: str, anchors: dict[str, set[str]]) -> str | None:
    """Why a link to ``target#fragment`` in the built site leads nowhere; None when it leads somewhere."""
    file: Path = build.site / target / "index.html" if target.endswith("/") or not target else build.site / target
    if not file.is_file():
        return f"no {file.relative_to(build.site)}"
    if not fragment or file.suffix != ".html":
        return None
    if target not in anchors:
        anchors[target] = {element["id"] for element in BeautifulSoup(file.read_text("utf-8"), "html.parser").find_all(id=True)}
    return None if fragment in anchors[target] else f"no #{fragment}"
