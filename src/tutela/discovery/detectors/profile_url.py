"""Links to a person's profile on a social or professional network (``user.contact.url``).

fideslang's ``user.contact.url`` is "the subject's websites or links to social and
personal profiles": a LinkedIn, XING, Indeed, Facebook, X/Twitter, GitHub, Instagram
or similar profile URL names one person (GDPR Art. 4(1), an online identifier). The
network is recognised by its host's name whatever the country or top-level domain
(``be.linkedin.com``, ``www.xing.de``, ``linkedin.example``); the path must point at
a person:

- under a profile prefix: ``/in/<handle>``, ``/pub/<handle>``, ``/profile/<handle>``,
  ``/r/<handle>`` (an Indeed résumé), ``/p/``, ``/u/``, ``/user/``, ``/people/``;
- or a handle alone on networks whose root paths are users (``facebook.com/jane.doe``,
  ``x.com/jdoe``, ``github.com/jdoe``, ``medium.com/@jdoe``).

Not a person: the network's own pages (``/jobs``, ``/company/…``, ``/groups/…``,
``/search``, ``/share``, ``/login``, ``/hashtag/…``, ``/explore``), a GitHub
repository (``github.com/org/repo``: two segments), a post or a status, and any other
host (a page view's URL, a referrer). In free text the same links are spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tutela.discovery.detectors.windows import stretches_with
from tutela.discovery.models import NO_MATCH, Span, ValueScore

CATEGORY = "user.contact.url"

NETWORKS = (
    *("linkedin", "xing", "indeed", "facebook", "fb", "twitter", "x", "github", "gitlab"),
    *("instagram", "tiktok", "medium", "youtube", "threads", "bsky", "pinterest", "reddit"),
    *("viadeo", "behance", "dribbble", "stackoverflow", "vk", "snapchat", "mastodon"),
)
"""Networks by the label of their host before the top-level domain."""

ROOT_HANDLES = frozenset(
    {"facebook", "fb", "twitter", "x", "github", "gitlab", "instagram", "tiktok", "medium"}
    | {"youtube", "threads", "pinterest", "behance", "dribbble", "snapchat", "vk"}
)
"""Networks whose one-segment root paths are user handles (``x.com/jdoe``)."""

PROFILE_PREFIXES = frozenset(
    {"in", "pub", "profile", "profiles", "p", "r", "u", "user", "users", "people", "add"}
)
"""Path segments that a person's handle follows (``/in/jdoe``, ``/profile/Jane_Doe``)."""

RESERVED = frozenset(
    {"jobs", "job", "company", "companies", "groups", "group", "pages", "page", "search"}
    | {"share", "sharer", "sharing", "intent", "home", "hashtag", "explore", "login", "signup"}
    | {"about", "help", "legal", "privacy", "settings", "feed", "watch", "events", "school"}
    | {"showcase", "posts", "status", "marketplace", "i", "messages", "notifications"}
    | {"policies", "terms", "careers", "topics", "trending", "features", "pricing", "orgs"}
    | {"sponsors", "marketplace", "apps", "developers", "business", "ads", "tr", "dialog"}
    | {"plugins", "video", "videos", "reel", "reels", "stories", "tag", "tags", "learning"}
    | {"viewjob", "cmp", "salaries", "career", "m", "www", "en", "fr", "nl", "de", "es"}
)
"""Root segments of a network's own pages: what follows them is not a person."""

_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,12}", re.IGNORECASE)
_HANDLE = re.compile(r"@?[\w][\w.\-%]{1,99}")
_FIND = re.compile(
    r"(?<![\w@/.])(?:https?://)?(?:[\w-]+\.)*(?:" + "|".join(NETWORKS) + r")\.[a-z]{2,12}"
    r"(?:\.[a-z]{2,3})?(?:/[^\s/?#]*){1,3}/?(?:[?#][^\s)\]>\"']*)?",
    re.IGNORECASE,
)
_TLD_SLASH = re.compile(r"\.[a-z]{2,12}(?:\.[a-z]{2,3})?/", re.IGNORECASE)
"""Where a link's host ends (``.com/``): the link is in the stretch around it."""


def profile_score(value: str) -> ValueScore:
    """0.9 for ``/in/<handle>``-style profile links, 0.8 for a root handle, else no match."""
    network, segments = _parts(value)
    if network is None or not segments or segments[0].lower() in RESERVED:
        return NO_MATCH
    first = segments[0].lower()
    if first in PROFILE_PREFIXES and len(segments) >= 2 and _HANDLE.fullmatch(segments[1]):
        return ValueScore(0.9, "profile")
    if len(segments) == 1 and _HANDLE.fullmatch(segments[0]):
        if first.startswith("@"):
            return ValueScore(0.85, "handle")
        if network in ROOT_HANDLES:
            return ValueScore(0.8, "root_handle")
    return NO_MATCH


def _parts(value: str) -> tuple[str | None, list[str]]:
    """The network a URL's host names (None: no known network) and its path segments."""
    rest = value.split("://", 1)[1] if "://" in value[:9] else value
    host, _, path = rest.partition("/")
    if _HOST.fullmatch(host) is None:
        return None, []
    labels = host.lower().split(".")
    names = labels[-3:-1] if len(labels[-1]) == 2 and len(labels) >= 3 else labels[-2:-1]
    network = next((label for label in reversed(names) if label in NETWORKS), None)
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [segment for segment in path.split("/") if segment]
    return network, segments if len(segments) <= 5 else []


@dataclass(frozen=True)
class ProfileUrlDetector:
    """Profile links of people on social and professional networks (module docstring)."""

    name: str = "profile_url"
    category: str | None = CATEGORY
    countries: tuple[str, ...] = ()
    lookalike: bool = False
    source: str = "fideslang user.contact.url; GDPR Art. 4(1) online identifiers"

    def score_value(self, value: str) -> ValueScore:
        """How likely the whole ``value`` is a link to a person's profile."""
        if not 8 <= len(value) <= 300 or "/" not in value or " " in value:
            return NO_MATCH
        return profile_score(value)

    def find_spans(self, text: str) -> Iterator[Span]:
        """Profile links in ``text`` (a trailing dot or comma is not part of the link)."""
        if "/" not in text:
            return
        for start, stop, _ in stretches_with(text, _TLD_SLASH):
            for match in _FIND.finditer(text, start, stop):
                found = match.group(0).rstrip(".,;:!")
                result = profile_score(found)
                if result.score:
                    where = match.start(), match.start() + len(found)
                    yield Span(*where, CATEGORY, result.score, self.name, result.pattern)


DETECTOR = ProfileUrlDetector()
"""The profile-link detector registered as the built-in ``profile_url``."""
