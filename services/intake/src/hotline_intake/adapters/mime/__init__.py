"""Reading inbound email (RFC 5322 bytes), by concern:

* `header`: the header alone, best effort (reply address, automatic-mail marks, Message-ID);
* `parse`: the whole email → `InboundEmail`, or `EmailRejected` with a reason code;
* `body`: the body text, decoded strictly in its charset; `attachments`: what else it carries;
* `message`: the types they return.
"""

from hotline_intake.adapters.mime.header import read_header
from hotline_intake.adapters.mime.message import (
    Attachment,
    EmailHeader,
    EmailRejected,
    InboundEmail,
)
from hotline_intake.adapters.mime.parse import parse_email
from hotline_intake.domain.rejection import REJECTION_EXPLANATIONS

__all__ = [
    "REJECTION_EXPLANATIONS",
    "Attachment",
    "EmailHeader",
    "EmailRejected",
    "InboundEmail",
    "parse_email",
    "read_header",
]
