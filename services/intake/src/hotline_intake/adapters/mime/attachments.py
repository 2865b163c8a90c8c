"""Attachments as a ticket records them: every leaf part but the body (and its alternative
text), by name, decoded size and type, never the content. An attached message/* counts as one
attachment, not descended into. At most 100 are listed; the rest are counted."""

from __future__ import annotations

import mimetypes
from email.message import EmailMessage, Message

from hotline_intake.adapters.mime.header import clean
from hotline_intake.adapters.mime.message import Attachment
from hotline_intake.domain.fields import ATTACHMENTS_MAX, FILENAME_MAX, cut, one_line


def attachments(message: EmailMessage, body_part: Message | None) -> tuple[list[Attachment], int]:
    """(the attachments listed, how many more there were)."""
    found: list[Attachment] = []
    omitted = 0
    for part in _leaves(message):
        if part is body_part or _is_alternative_text(part):
            continue
        if len(found) == ATTACHMENTS_MAX:
            omitted += 1
            continue
        found.append(Attachment(
            filename=_filename(part, len(found) + 1),
            size=_decoded_size(part),
            content_type=cut(part.get_content_type(), FILENAME_MAX),
        ))
    return found, omitted


def _leaves(part: Message):
    """Leaf parts in order; an attached message counts as one leaf, not descended into."""
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        for sub in part.get_payload():
            yield from _leaves(sub)
    else:
        yield part


def _is_alternative_text(part: Message) -> bool:
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and not part.get_filename()
        and part.get_content_disposition() != "attachment"
    )


def _filename(part: Message, number: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a garbled name still leaves an attachment to record
        name = None
    if name and name.strip():
        return cut(" ".join(one_line(clean(name)).split()), FILENAME_MAX) or f"unnamed-{number}"
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"unnamed-{number}{extension}"


def _decoded_size(part: Message) -> int:
    try:
        if part.is_multipart():  # message/rfc822 and friends: the attached message as sent
            return len(part.get_payload(0).as_bytes())
        return len(part.get_payload(decode=True) or b"")
    except Exception:  # noqa: BLE001 - an undecodable attachment is still recorded
        return 0
