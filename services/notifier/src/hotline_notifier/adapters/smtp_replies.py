"""How an SMTP failure is read: the message's trouble (an attempt of its own) or the relay's.

| what happened                                              | outcome                         |
|------------------------------------------------------------|---------------------------------|
| 4xx to MAIL, RCPT or DATA (a greylisted recipient: 450/451) | transient: this message retries |
| 5xx to MAIL, RCPT or DATA                                   | permanent: this message gives up |
| `421` anywhere (the server is closing the channel)          | relay down                      |
| connecting, the greeting, EHLO, TLS, AUTH fail; the connection is refused, reset or lost | relay down |
| a reply that does not come in time, mid-transaction         | transient                       |
| an address the server cannot take (SMTPUTF8 unsupported)    | permanent                       |

"Relay down" is no attempt of the message's: it raises `RelayDown`, and every email waits.
"""

from __future__ import annotations

import aiosmtplib

from hotline_notifier.domain.delivery import RelayDown, Undelivered

SERVICE_NOT_AVAILABLE = 421
RELAY_ERRORS = (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected,
                aiosmtplib.SMTPAuthenticationError, aiosmtplib.SMTPHeloError, OSError)
"""Raised by the relay or the way to it, whichever message is being sent (OSError: refused,
reset, TLS; a timeout mid-transaction, also an OSError, is read as the message's first)."""
STAGES = ((aiosmtplib.SMTPSenderRefused, "MAIL"), (aiosmtplib.SMTPRecipientRefused, "RCPT"),
          (aiosmtplib.SMTPRecipientsRefused, "RCPT"), (aiosmtplib.SMTPDataError, "DATA"))


def reply_code(error: BaseException) -> int | None:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        return error.recipients[0].code
    return getattr(error, "code", None) if isinstance(error, aiosmtplib.SMTPResponseException) else None


def describe(error: BaseException) -> str:
    """`RCPT 450 4.2.0 Greylisted`, `SMTPConnectError: Error connecting ...`: one line, bounded."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    code = reply_code(error)
    if code is not None:
        stage = next((name for kind, name in STAGES if isinstance(error, kind)), "SMTP")
        text = f"{stage} {code} {getattr(error, 'message', '')}"
    else:
        text = f"{type(error).__name__}: {error}".rstrip(": ")
    return " ".join(text.split())[:500]


def outcome_of(error: Exception) -> Undelivered:
    """The attempt's outcome for an error raised while sending on an open connection; raises
    RelayDown when the relay, not the message, is the trouble."""
    code = reply_code(error)
    if isinstance(error, aiosmtplib.SMTPTimeoutError) and not isinstance(
            error, aiosmtplib.SMTPConnectError):
        return Undelivered(describe(error))
    if code == SERVICE_NOT_AVAILABLE or isinstance(error, RELAY_ERRORS):
        raise RelayDown(describe(error)) from error
    if code is not None:
        return Undelivered(describe(error), permanent=500 <= code < 600)
    if isinstance(error, aiosmtplib.SMTPNotSupported | ValueError):
        return Undelivered(describe(error), permanent=True)
    return Undelivered(describe(error))  # an unexpected answer
