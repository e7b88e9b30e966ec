"""Preview rebuilds: in ``mkdocs serve``, the time from saving a file to its page served changed.

The server is started on the generated project (127.0.0.1, a free port) and, once it
serves, two kinds of edit alternate: a data file (a source's title, which its generated
page shows as its heading) and a plain Markdown page (a paragraph appended). After each
save the page is fetched every 50 ms until it shows the edit. While it rebuilds, the
server holds requests until the new site is complete, as a browser's live reload waits
for it, so the time is what a contributor waits for. Before the next edit the server
must have reported the rebuild as done. The files are restored and the server stopped
at the end, whatever happens.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

POLL = 0.05


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    def __init__(self, project: Path, environment: dict[str, str]) -> None:
        self.port = _free_port()
        command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command,
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # its own process group, so stop() ends it and nothing else
        )
        self.lines: list[str] = []
        self.reloads = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if "Reloading browsers" in line:
                self.reloads += 1

    def get(self, page: str, timeout: float) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{page}", timeout=timeout) as response:
                return response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return None

    def wait_until(self, condition, deadline: float, what: str) -> None:
        while not condition():
            if self.process.poll() is not None:
                raise RuntimeError(f"mkdocs serve stopped while waiting for {what}:\n" + "\n".join(self.lines[-20:]))
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}:\n" + "\n".join(self.lines[-20:]))
            time.sleep(POLL)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self._reader.join(timeout=5)


def _edit_title(text: str, marker: str) -> str:
    """The YAML with `` marker`` added to the end of its top-level ``title``."""
    match = re.search(r"^title: (.*)$", text, flags=re.M)
    value = match[1]
    if value[:1] in "'\"":
        value = value[:-1] + f" {marker}" + value[-1]
    else:
        value += f" {marker}"
    return text[: match.start(1)] + value + text[match.end(1) :]


def _shows(server: _Server, page: str, marker: str, timeout: float) -> Callable[[], bool]:
    """Whether the server serves ``page`` with ``marker`` in it (bound now, not at the loop's end)."""
    return lambda: marker in (server.get(page, timeout) or "")


def _reloaded(server: _Server, reloads: int) -> Callable[[], bool]:
    """Whether the server has finished a rebuild since it had finished ``reloads`` of them."""
    return lambda: server.reloads > reloads


def measure(project: Path, data_edit: tuple[str, str], markdown_edit: tuple[str, str], runs: int,
            environment: dict[str, str], timeout: float) -> dict:
    """Median seconds from save to changed page, for ``runs`` data edits and ``runs`` Markdown edits."""
    data_file, data_page = project / data_edit[0], data_edit[1]
    markdown_file, markdown_page = project / markdown_edit[0], markdown_edit[1]
    originals = {data_file: data_file.read_text("utf-8"), markdown_file: markdown_file.read_text("utf-8")}
    edits = {
        "data": (data_file, data_page, lambda marker: _edit_title(originals[data_file], marker)),
        "markdown": (
            markdown_file,
            markdown_page,
            lambda marker: originals[markdown_file].rstrip("\n") + f"\n\nA preview edit: {marker}.\n",
        ),
    }
    times: dict[str, list[float]] = {"data": [], "markdown": []}
    server = _Server(project, environment)
    started = time.monotonic()
    try:
        server.wait_until(lambda: server.get("", 5) is not None, started + timeout, "the first build")
        first_build = time.monotonic() - started
        for run in range(runs):
            for kind, (path, page, edited) in edits.items():
                marker = f"BenchEdit{run}{kind}"
                reloads = server.reloads
                path.write_text(edited(marker), encoding="utf-8")
                saved = time.monotonic()
                deadline = saved + timeout
                server.wait_until(_shows(server, page, marker, timeout), deadline, f"{kind} edit {run}")
                times[kind].append(time.monotonic() - saved)
                server.wait_until(_reloaded(server, reloads), deadline, f"the end of rebuild {run} ({kind})")
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        server.stop()
    data, markdown = statistics.median(times["data"]), statistics.median(times["markdown"])
    return {
        "first_build_s": first_build,
        "data_edit_s": data,
        "markdown_edit_s": markdown,
        "ratio": data / markdown,
        "runs": runs,
        "data_edit_runs_s": times["data"],
        "markdown_edit_runs_s": times["markdown"],
    }
