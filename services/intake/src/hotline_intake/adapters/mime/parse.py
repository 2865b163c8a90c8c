"""`parse_email`: raw RFC 5322 bytes → `InboundEmail`, or `EmailRejected` with a reason code and
whatever could still be read (the sender above all) so the caller can reply.

* The size limit is checked first, on the raw bytes; the header is still read for the reply.
* The body comes from `body`, the attachments from `attachments`.
* Nothing else escapes: whatever the standard library's parser raises on hostile input (a
  nesting too deep to walk, a header class's own error) is a `malformed` rejection.
"""

from __future__ import annotations

from email import errors as email_errors
from email.parser import BytesParser

from hotline_intake.adapters.mime.attachments import attachments
from hotline_intake.adapters.mime.body import body_text
from hotline_intake.adapters.mime.header import read_header
from hotline_intake.adapters.mime.header_cache import INBOUND
from hotline_intake.adapters.mime.message import EmailHeader, EmailRejected, InboundEmail
from hotline_intake.domain.rejection import RejectionReason

MIB = 1024 * 1024

_STRUCTURAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)


def parse_email(raw: bytes, *, max_bytes: int, header: EmailHeader | None = None) -> InboundEmail:
    """Read one email, or raise `EmailRejected` (reason, message and best-effort header).
    `header` is `read_header(raw)` when the caller has it already."""
    header = header or read_header(raw)
    if len(raw) > max_bytes:
        raise header.reject(
            RejectionReason.OVERSIZED,
            f"the email is {_mib(len(raw))}; the limit is {_mib(max_bytes)}",
        )
    if not raw.strip():
        raise header.reject(RejectionReason.MALFORMED, "the email is empty")
    if header.content_type is None:
        raise header.reject(RejectionReason.MALFORMED, "the data has no email header fields")
    if header.sender is None:
        raise header.reject(
            RejectionReason.NO_SENDER, "the From: header is missing or has no valid address"
        )
    try:
        return _read(raw, header)
    except EmailRejected:
        raise
    except RecursionError:
        raise header.reject(RejectionReason.MALFORMED, "the email nests its parts too deeply") from None
    except Exception as exc:  # the parser is lenient; whatever escapes it is unreadable input
        raise header.reject(
            RejectionReason.MALFORMED, f"the email cannot be parsed ({type(exc).__name__})"
        ) from exc


def _read(raw: bytes, header: EmailHeader) -> InboundEmail:
    assert header.sender is not None
    message = BytesParser(policy=INBOUND).parsebytes(raw)
    for part in message.walk():
        if any(isinstance(defect, _STRUCTURAL_DEFECTS) for defect in part.defects):
            raise header.reject(
                RejectionReason.MALFORMED,
                f"the {part.get_content_type()} structure is broken (boundary missing or wrong)",
            )
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = body_text(body_part, message, header) if body_part is not None else ""
    if not body:
        raise header.reject(
            RejectionReason.EMPTY_BODY,
            "the email has no text describing the problem (attachments alone do not count)",
        )
    listed, omitted = attachments(message, body_part)
    return InboundEmail(
        sender=header.sender,
        sender_name=header.sender_name,
        subject=header.subject or "",
        message_id=header.message_id,
        body=body,
        attachments=tuple(listed),
        size=len(raw),
        attachments_omitted=omitted,
        in_reply_to=header.in_reply_to,
        references=header.references,
    )


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB ({size:,} bytes)"
