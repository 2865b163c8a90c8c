"""DMARC verdicts from `Authentication-Results` header fields (RFC 8601), parsed with `authres`.

Only fields whose authserv-id is the one configured (HOTLINE_INTAKE_TRUSTED_AUTHSERV_ID, compared
ignoring case) are trusted: anyone can write an `Authentication-Results` field into an email,
and the receiving MTA is expected to remove those carrying its own id (RFC 8601 §5). Among the
trusted fields a `dmarc=fail` wins over any other result, so a forged `pass` added below the
MTA's own field changes nothing. A field that cannot be parsed is not trusted.
"""

from __future__ import annotations

from collections.abc import Iterable

import authres

_FEATURES = authres.all_features()


def dmarc_result(fields: Iterable[str], trusted_authserv_id: str) -> str | None:
    """`fail`, another DMARC result of the trusted fields (e.g. `pass`, `none`), or None when
    no trusted field reports DMARC."""
    trusted = trusted_authserv_id.strip().lower()
    results: list[str] = []
    for value in fields:
        try:
            header = _FEATURES.parse_value(value)
        except Exception:  # noqa: BLE001 - authres raises its own SyntaxError and others on garbage
            continue
        if str(header.authserv_id).lower() != trusted:
            continue
        results += [str(r.result).lower() for r in header.results if str(r.method).lower() == "dmarc"]
    if "fail" in results:
        return "fail"
    return results[0] if results else None
