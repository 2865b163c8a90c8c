"""Trimming an emailed reply for display: the newest message without the quoted history below
it (`mail-parser-reply`). The full text stays in the event; this is only how it is shown."""

from __future__ import annotations

import logging

from mailparser_reply import EmailReplyParser

log = logging.getLogger(__name__)

_PARSER = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl"])


def latest_reply(text: str) -> str:
    """The reply without its quoted history (the whole text when nothing is left or the parser
    fails)."""
    try:
        trimmed = _PARSER.parse_reply(text=text)
    except Exception:  # noqa: BLE001 - display only: the stored text is never at risk
        log.warning("could not trim a reply's quoted history", exc_info=True)
        return text
    return trimmed.strip() or text
