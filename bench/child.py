"""One ``mkdocs build``, run in its own process by ``bench/run.py``; prints what it measured as JSON.

    python bench/child.py CONFIG SITE_DIR [--strict] [--capture BASELINE_DOCS]

It does what ``mkdocs build`` does (load the configuration, ``on_startup``, build,
``on_shutdown``), in-process so that the hook's events and the Markdown extension's
processors can be wrapped in timers. The timers cost a few microseconds a call.

Times are CPU seconds of this process (``time.process_time``): a build runs on one core,
so on an idle machine they equal the wall-clock time, and on a busy one (tests running
beside the benchmark) they still measure the build's own work. The wall-clock time of
the build is reported beside them.
``--capture`` also records each page as the hooks made it and writes the baseline's
docs folder (see ``baseline.py``); a capturing run is never one of the timed runs.
"""

from __future__ import annotations

import time

_STARTED = time.process_time()

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402

# Each hook event, and the step of the list it belongs to.
HOOK_EVENTS = {"config": "load", "files": "generate", "page_markdown": "pages", "page_content": "pages", "env": "backlinks"}


class _Counter(logging.Handler):
    """Counts MkDocs' warnings: a build that warns is not building the same site as the other."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _timed(function, timers: Counter, key: str, consume: bool = False):
    """``function``, adding its CPU time to ``timers[key]``; ``consume`` runs a generator to its end."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            result = function(*args, **kwargs)
            return list(result) if consume else result
        finally:
            timers[key] += time.process_time() - start

    return wrapper


def hook_module(config):
    """The project's hook module, as MkDocs loaded it (its name is its path), or None."""
    for plugin in config.plugins.values():
        if getattr(plugin, "__name__", "").endswith("explainer_hooks.py"):
            return plugin
    return None


def instrument(config, timers: Counter) -> bool:
    """Wrap the hook's events and the extension's processors in timers; False if there is no hook."""
    module = hook_module(config)
    if module is None:
        return False
    events = config.plugins.events
    for event, key in HOOK_EVENTS.items():
        events[event] = [
            _timed(method, timers, key) if getattr(method, "__module__", None) == module.__name__ else method
            for method in events[event]
        ]
    annotate = sys.modules["explainer.annotate"]
    validate = sys.modules["explainer.validate"]
    # validate.check runs inside on_config: counted on its own, and taken out of "load" afterwards.
    validate.check = _timed(validate.check, timers, "validate", consume=True)
    for cls, name in (
        (annotate.ExplainerExtension, "extendMarkdown"),
        (annotate.CitationPattern, "handleMatch"),
        (annotate.AnnotateTreeprocessor, "run"),
    ):
        setattr(cls, name, _timed(getattr(cls, name), timers, "pages"))
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("site_dir")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--capture", type=Path, help="write the baseline's docs folder here")
    arguments = parser.parse_args()

    warnings = _Counter()
    logging.getLogger("mkdocs").addHandler(warnings)
    errors = logging.StreamHandler(sys.stderr)
    errors.setLevel(logging.ERROR)
    logging.getLogger("mkdocs").addHandler(errors)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    imported, imported_wall = time.process_time(), time.perf_counter()

    config = load_config(config_file=arguments.config, site_dir=arguments.site_dir, strict=arguments.strict)
    timers: Counter = Counter()
    hooked = instrument(config, timers)
    capture = None
    if arguments.capture:
        import baseline

        capture = baseline.install(config, hook_module(config))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    config.plugins.on_shutdown()
    finished, finished_wall = time.process_time(), time.perf_counter()
    if capture:
        capture.write(Path(config.docs_dir), arguments.capture, config.nav)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    hooks = {}
    if hooked:
        hooks = dict(timers)
        hooks["load"] = hooks.get("load", 0.0) - hooks.get("validate", 0.0)
        hooks["total"] = sum(hooks.values())
    json.dump(
        {
            "imports_s": imported - _STARTED,
            "build_s": finished - imported,
            "build_wall_s": finished_wall - imported_wall,
            "max_rss_mib": usage.ru_maxrss / 1024,
            "warnings": warnings.count,
            "hooks": hooks,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
