"""MkDocs events, handed to the ``explainer`` package beside this file.

MkDocs imports this module once per process and never again, even across the
rebuilds of ``mkdocs serve``: everything a build learns lives in the ``_Build``
made by ``on_config``, which every build replaces.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import watchdog.events
from explainer import front_matter, inert, linked_data, parts, publish, render
from explainer.annotate import ExplainerExtension
from explainer.backlinks import PageInfo, PageNotes
from explainer.load import file_problem, refused_in
from explainer.problems import Origin, Problem
from explainer.render import reading_page
from explainer.site import Site
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import YAML_RE

log = logging.getLogger("mkdocs.plugins.explainer")


@dataclass
class _Build:
    site: Site
    docs: PurePosixPath
    """The docs folder, relative to the project root (for messages and edit links)."""
    generated: dict[str, str] = field(default_factory=dict)
    """Each generated page's src_uri, with the data file it is made from."""
    page: PageInfo | None = None
    """The page being converted, for the Markdown extension."""
    data_problems: int = 0
    files: Files | None = None

    def page_converted(self, src_uri: str) -> PageNotes | None:
        """What the Markdown extension found on a page, its problems reported."""
        notes = self.site.ledger.notes.get(src_uri)
        for problem in notes.problems if notes else ():
            self.report(problem)
        return notes

    def refuse(self, notes: PageNotes, message: str, *written: str) -> None:
        """Report a problem of the page's HTML at the line of ``written`` in its Markdown."""
        before = len(notes.problems)
        notes.report_in_order(message, *written)
        for problem in notes.problems[before:]:
            self.report(problem)

    def report(self, problem: Problem) -> None:
        self.site.problems.append(problem)
        log.error(str(problem))


_build: _Build | None = None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build
    root = Path(config.config_file_path).parent
    _refuse_unreadable_folders(config, root)
    # A site replaces any of the generator's templates with one of the same name in overrides/explainer/.
    templates = Path(config.theme.custom_dir, "explainer") if config.theme.custom_dir else None
    site = Site(root, templates, _split_above(config))
    build = _Build(site, PurePosixPath(Path(config.docs_dir).relative_to(root).as_posix()))
    for problem in build.site.problems:
        log.error(str(problem))
    build.data_problems = len(build.site.problems)
    if build.data_problems and config.strict:
        # Stop before anything is rendered or written: the site as it was stays in place.
        raise PluginError(f"{build.data_problems} problem(s) in the data, listed above; nothing was built")
    config.markdown_extensions.append(
        ExplainerExtension(build.site.index, build.site.ledger, current_page=lambda: build.page)
    )
    if config.nav is not None:  # without a nav, MkDocs lists every page, parts included
        config.nav = parts.nav_with_parts(config.nav, build.site.parts.listings())
    _build = build
    return config


def _split_above(config: MkDocsConfig) -> int:
    """``extra.explainer.split_above``: how many entries a generated list holds before it is split."""
    settings = config.extra.get("explainer") or {}
    value = settings.get("split_above", parts.DEFAULT_SPLIT_ABOVE) if isinstance(settings, dict) else settings
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PluginError(
            f"extra.explainer.split_above in mkdocs.yml must be a whole number of entries, 1 or more "
            f"(for example 100); found {value!r}"
        )
    return value


def _refuse_unreadable_folders(config: MkDocsConfig, root: Path) -> None:
    """Stop before MkDocs walks a link to a folder in docs/, or the theme reads a template of its
    custom_dir that is a link, a pipe or a device (see explainer.load.refused_in), in `mkdocs serve`
    too: there is no site to make without them."""
    walked = [(Path(config.docs_dir), False)] + ([(Path(config.theme.custom_dir), True)] if config.theme.custom_dir else [])
    for folder, files in walked:
        refused = refused_in(folder, root, files=files)
        for problem in refused:
            log.error(str(problem))
        if refused:
            raise PluginError(f"{len(refused)} file(s) of {folder.relative_to(root).as_posix()}/ refused, listed above; nothing was built")


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    _refuse_unreadable_docs(files, config)
    pages_by_url = {file.url: file for file in files.documentation_pages()}
    for page in _build.site.pages():
        inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
        # docs/sources.md would be published at sources/, where the generated sources/index.md is.
        clash = pages_by_url.get(file.url)
        if clash is not None:
            _build.report(Problem(Origin(str(_build.docs / clash.src_uri), 1), f"this page is made from {page.edit_path}; rename the file"))
            files.remove(clash)
        file.edit_uri = str(PurePosixPath("..", *[".."] * (len(_build.docs.parts) - 1), page.edit_path))
        files.append(file)
        _build.generated[page.src_uri] = page.edit_path
    for src_uri, path in _build.site.texts():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    _publish_data(files, config)
    return files


def _publish_data(files: Files, config: MkDocsConfig) -> None:
    """The checked data as JSON, with its schemas, beside the site (see explainer.publish)."""
    _build.files = files
    for path, text in publish.files(
        _build.site.dataset,
        lambda src_uri: get_relative_url(files.get_file_from_path(src_uri).url, f"{publish.FOLDER}/"),
        _build.site.parts,
    ):
        files.append(File.generated(config, path, content=text))


def _refuse_unreadable_docs(files: Files, config: MkDocsConfig) -> None:
    """Take out of the site each file of docs/ that may not be read (a symbolic link, a pipe, an
    unreadable file, a page that is not UTF-8: see explainer.load), so MkDocs never opens or
    publishes it. Each is reported, and shown on every page's banner with the data's problems."""
    refused: list[Problem] = []
    docs = Path(config.docs_dir)
    for file in [file for file in files if file.generated_by is None and Path(file.abs_src_path).is_relative_to(docs)]:
        problem = file_problem(
            Path(file.abs_src_path), _build.site.root, page=file.is_documentation_page(), published=not file.inclusion.is_excluded()
        )
        if problem:
            files.remove(file)
            if problem not in refused:  # a linked folder, met once for each file in it
                refused.append(problem)
                log.error(str(problem))
    _build.site.problems[_build.data_problems : _build.data_problems] = refused
    _build.data_problems += len(refused)
    if refused and config.strict:
        raise PluginError(f"{len(refused)} file(s) of {_build.docs}/ refused, listed above; nothing was built")


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    src_uri = page.file.src_uri
    data_file = _build.generated.get(src_uri)
    if data_file is None:
        _hold_front_matter(page)
        source = _body_lines(page.file.content_string, markdown)
        first_line = source.count("\n", 0, len(source) - len(markdown)) + 1 if source.endswith(markdown) else 1
        _build.page = PageInfo(src_uri, str(_build.docs / src_uri), source, first_line=first_line)
    else:
        # What the data checks missed is reported against the data file; while the data has problems
        # (in `mkdocs serve`), they are reported already.
        data_text = _build.site.data_text(data_file)
        _build.page = PageInfo(src_uri, data_file, data_text or markdown, not _build.data_problems)
    _build.page.url_to = lambda target: get_relative_url(files.get_file_from_path(target).url, page.file.url)
    return markdown


def _hold_front_matter(page: Page) -> None:
    """Keep of a written page's front matter only what explainer.front_matter allows, before any
    template or plugin reads it, and report the rest at its line."""
    block = YAML_RE.match(page.file.content_string)
    kept, refused = front_matter.problems(page.meta, page.file.content_string, block[1] if block else None)
    for line, message in refused:
        _build.report(Problem(Origin(str(_build.docs / page.file.src_uri), line), message))
    page.meta.clear()
    page.meta.update(kept)


def _body_lines(source: str, body: str) -> str:
    """The page's source with its front matter blanked, so that lines still count from the top of
    the file but nothing in the front matter is taken for the body."""
    start = source.rfind(body)
    return source if start <= 0 else "\n" * source.count("\n", 0, start) + source[start:]


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    _build.page = None
    notes = _build.page_converted(page.file.src_uri)
    checked = inert.make_inert(html)
    for refusal in checked.refusals:
        _build.refuse(notes, refusal.message, *refusal.written)
    _inert_titles(page)
    _build.site.ledger.titles[page.file.src_uri] = inert.plain_text(page.title)
    if _build.data_problems:
        return render.problems_banner(_build.site.problems[: _build.data_problems], _build.site.templates) + checked.html
    return checked.html


def _inert_titles(page: Page) -> None:
    """The page's title and its table of contents as escaped text without '<' (see explainer.inert).

    A heading's '<' was reported with the rest of the HTML, a front matter title's by
    _hold_front_matter. MkDocs gives titles as HTML, front matter as text.
    """
    if "title" in page.meta:
        page.meta["title"] = page.title = inert.shown_title(str(page.meta["title"]))
    else:
        page.title = inert.shown_title(inert.plain_text(page.title or page.file.src_uri))
    anchors = list(page.toc)
    while anchors:
        anchor = anchors.pop()
        anchor.title = inert.shown_title(inert.plain_text(anchor.title))
        anchors.extend(anchor.children)


def on_env(env, *, config: MkDocsConfig, files: Files):
    def url_to(target: str, origin: str) -> str:
        return get_relative_url(files.get_file_from_path(target).url, files.get_file_from_path(origin).url)

    for src_uri in sorted(_build.generated):
        page = files.get_file_from_path(src_uri).page
        page.content = _build.site.fill_in(page.content, src_uri, url_to)
    for source_id in _build.site.dataset.sources:
        # Made after MkDocs collected each page's anchors, for its check of the links to them.
        page = files.get_file_from_path(reading_page(source_id)).page
        page.present_anchor_ids.update(anchor for mark in _build.site.marks(source_id) for anchor in mark.ids)
    return env


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """The page's schema.org JSON-LD, in its <head>: not in its content, where explainer.inert
    takes out every <script>, nor in page.meta, which the front matter controls."""
    src_uri = page.file.src_uri
    linked = linked_data.for_page(
        src_uri,
        title=inert.plain_text(page.title),
        dataset=_build.site.dataset,
        cited=tuple(notes.cited) if (notes := _build.site.ledger.notes.get(src_uri)) else (),
        url_of=lambda target: urljoin(config.site_url or "/", _build.files.get_file_from_path(target).url),
        parts=_build.site.parts,
    )
    return linked_data.into_head(output, linked) if linked else output


def on_serve(server, *, config: MkDocsConfig, builder):
    """Keep previewing a watched folder (data/, docs/, hooks/) that is moved away and back.

    MkDocs stops watching a folder for good once it disappears, and ignores events about
    folders, so the preview would stay stale. A watch of the project folder's own entries
    sees such a folder come back: it is watched afresh, and the site rebuilt. (While it is
    away, the preview keeps serving the last site: MkDocs refuses a configuration whose
    watched folder is missing, so a rebuild then could only fail.)
    """
    root = os.path.dirname(os.path.abspath(config.config_file_path))
    folders = {os.path.abspath(path) for path in (config.docs_dir, *config.watch)}
    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = lambda event: _folder_back(server, folders, event)
    server.observer.schedule(handler, root, recursive=False)
    return server


def _folder_back(server, folders: set[str], event) -> None:
    back = {path for path in (event.src_path, getattr(event, "dest_path", "")) if path in folders and os.path.isdir(path)}
    for folder in back & set(server._watched_paths):  # MkDocs' own watch of it stopped when it went
        server.unwatch(folder)
        server.watch(folder)
    if back:
        # What MkDocs' own watcher does on a change (mkdocs 1.6 has no public way to ask for a rebuild).
        with server._rebuild_cond:
            server._want_rebuild = True
            server._rebuild_cond.notify_all()
