"""MkDocs events, handed to the ``explainer`` package beside this file.

MkDocs imports this module once per process and never again, even across the
rebuilds of ``mkdocs serve``: everything a build learns lives in the ``_Build``
made by ``on_config``, which every build replaces.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from explainer.annotate import ExplainerExtension, PageInfo, PageNotes
from explainer.render import problems_banner
from explainer.site import Site
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.plugins.explainer")


@dataclass
class _Build:
    site: Site
    docs: PurePosixPath
    """The docs folder, relative to the project root (for messages and edit links)."""
    generated: set[str] = field(default_factory=set)
    page: PageInfo | None = None
    data_problems: int = 0

    def page_annotated(self, notes: PageNotes) -> None:
        self.site.page_annotated(notes)
        for problem in notes.problems:
            log.error(str(problem))


_build: _Build | None = None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build
    root = Path(config.config_file_path).parent
    build = _Build(Site(root), PurePosixPath(Path(config.docs_dir).relative_to(root).as_posix()))
    for problem in build.site.problems:
        log.error(str(problem))
    build.data_problems = len(build.site.problems)
    if build.data_problems and config.strict:
        # Stop before anything is rendered or written: the site as it was stays in place.
        raise PluginError(f"{build.data_problems} problem(s) in the data, listed above; nothing was built")
    config.markdown_extensions.append(
        ExplainerExtension(build.site, current_page=lambda: build.page, done=build.page_annotated)
    )
    _build = build
    return config


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    for page in _build.site.pages():
        clash = files.get_file_from_path(page.src_uri)
        if clash is not None:
            log.error(f"{_build.docs / page.src_uri}:1: this page is made from {page.edit_path}; rename the file")
            files.remove(clash)
        inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
        file.edit_uri = str(PurePosixPath("..", *[".."] * (len(_build.docs.parts) - 1), page.edit_path))
        files.append(file)
        _build.generated.add(page.src_uri)
    for src_uri, path in _build.site.texts():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    src_uri = page.file.src_uri
    generated = src_uri in _build.generated
    _build.page = PageInfo(
        src_uri=src_uri,
        display_path=str(_build.docs / src_uri),
        source_text=markdown if generated else page.file.content_string,
        report_problems=not generated,
    )
    return markdown


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    _build.page = None
    _build.site.page_titled(page.file.src_uri, page.title or page.file.src_uri)
    if _build.data_problems:
        return problems_banner(_build.site.problems[: _build.data_problems]) + html
    return html


def on_env(env, *, config: MkDocsConfig, files: Files):
    def url_to(target: str, origin: str) -> str:
        return get_relative_url(files.get_file_from_path(target).url, files.get_file_from_path(origin).url)

    for src_uri in sorted(_build.generated):
        page = files.get_file_from_path(src_uri).page
        page.content = _build.site.fill_backlinks(page.content, src_uri, url_to)
    return env
