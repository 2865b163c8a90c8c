"""The `email` policy intake reads with: the standard library's `policy.default`, with header
objects made once per distinct (name, value).

`policy.default` parses a header's value every time it is fetched, and builds a new header
class on each of those fetches. Reading one email fetches its Content-Type again and again
(walking the parts, finding the body, listing attachments), and a surge's emails share their
Content-Type and MIME-Version values: that parsing was a quarter of intake's CPU in the surge
(`make surge`). Header objects are immutable, so one made for a (name, value) serves every
fetch of it. Values longer than `CACHED_VALUE_MAX` are parsed each time (they are rarely
repeated, and the cache stays small: at most `CACHED_HEADERS` entries).
"""

from __future__ import annotations

import functools
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry

CACHED_HEADERS = 1024
CACHED_VALUE_MAX = 512


class CachedHeaderRegistry(HeaderRegistry):
    """A `HeaderRegistry` that makes each header class once, and each header object once per
    (name, value) of at most `CACHED_VALUE_MAX` characters."""

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one registry for the process, never freed
    def __getitem__(self, name: str) -> type[BaseHeader]:
        return super().__getitem__(name)

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > CACHED_VALUE_MAX:
            return self[name.lower()](name, value)
        return self._made(name, value)

    @functools.lru_cache(maxsize=CACHED_HEADERS)  # noqa: B019 - as above
    def _made(self, name: str, value: str) -> BaseHeader:
        return self[name.lower()](name, value)


INBOUND = policy.default.clone(header_factory=CachedHeaderRegistry())
"""`policy.default`, reading through `CachedHeaderRegistry`."""
