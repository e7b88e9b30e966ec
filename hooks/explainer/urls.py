"""The one rule for links: which URLs a page or a data field may link to or load, and how one
page of the site links to another.

Everything that checks a URL asks here: the data checks, the page checks on the element
tree and on the final HTML, and the renderer of source pages.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from .problems import shorten

# What browsers ignore inside a URL's scheme ("java\tscript:" is "javascript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# "//host/path" (or "\\host", which browsers read alike) leaves the site by whatever scheme the page has.
_OTHER_HOST = re.compile(r"[/\\]{2}")
_SPACE = re.compile(r"\s")  # what str.isspace() calls a space, found at C speed: every link of every page is checked
EXTERNAL_SCHEMES = frozenset({"http", "https"})
"""The only ways a link may leave the site."""


def url_scheme(url: str) -> str:
    """The scheme a browser would see in ``url``, lower-cased; "" for a relative URL."""
    scheme = _SCHEME.match(_URL_NOISE.sub("", url))
    return scheme[1].lower() if scheme else ""


def unsafe_url_message(url: str) -> str:
    return f"link to '{shorten(url)}' refused: only http:// and https:// links may leave the site"


@functools.lru_cache(maxsize=1 << 16)  # pages link to the same few pages again and again: 400,000 links at 100×
def url_problem(url: str, *, relative_ok: bool) -> str | None:
    """Why a link target is refused, or None.

    Pages may link to pages of this site (MkDocs checks those links) and to mailto:;
    data may not, because a data field is shown on generated pages at different depths.
    """
    scheme = url_scheme(url)
    if scheme not in EXTERNAL_SCHEMES and not (relative_ok and scheme in ("", "mailto")):
        if scheme or relative_ok:
            return unsafe_url_message(url)
        return (
            f"relative link '{shorten(url)}' refused: a data field may be shown on several pages, "
            "so its links are absolute http:// or https:// addresses"
        )
    if not scheme and _OTHER_HOST.match(_URL_NOISE.sub("", url)):
        return f"link to '{shorten(url)}' refused: it leaves the site without saying how; write it with https://"
    if _SPACE.search(url.strip()):
        return f"the link '{shorten(url)}' contains a space; write it as %20"
    try:
        urlsplit(url)
    except ValueError as error:  # "http://[x": MkDocs would stop on it with a traceback
        return f"the link '{shorten(url)}' is not a valid URL ({error})"
    return None


def image_problem(url: str) -> str | None:
    """Why an image's address is refused, or None: a page shows images of this site only, since a
    request to another host tells it who reads the page, and when."""
    problem = url_problem(url, relative_ok=True)
    if problem or not url_scheme(url):
        return problem
    return f"the image '{shorten(url)}' is refused: images load from this site only; put the file in docs/ and link it relatively"


def link_between(here: str, target: str) -> str:
    """The relative link from the page ``here`` to the file ``target``, both paths in docs/ (as MkDocs'
    ``src_uri``): ``posixpath.relpath(target, dirname(here))``, without the two ``os.getcwd()`` calls that
    relpath makes each time. Pages make hundreds of thousands of these at 100 times today's data."""
    folder, names = here.split("/")[:-1], target.split("/")
    shared = 0
    while shared < min(len(folder), len(names) - 1) and folder[shared] == names[shared]:
        shared += 1
    return "/".join([".."] * (len(folder) - shared) + names[shared:])
