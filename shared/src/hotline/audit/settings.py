"""Settings of tamper evidence (pydantic-settings).

| variable                       | default | meaning                                          |
|--------------------------------|---------|--------------------------------------------------|
| HOTLINE_AUDIT_ANCHOR_SECONDS   | 60      | how often each service anchors its chain's head  |
|                                |         | (when it moved; and once more at shutdown)       |
| HOTLINE_AUDIT_ANCHOR_FILE      | unset   | also append each anchor as a JSON line here      |
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuditSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    anchor_seconds: float = Field(
        validation_alias="HOTLINE_AUDIT_ANCHOR_SECONDS", default=60.0, gt=0,
        description="Seconds between anchors of each service's hash-chain head (published to "
        "hotline.audit.v1 when the head moved, and at shutdown).")
    anchor_file: str | None = Field(
        validation_alias="HOTLINE_AUDIT_ANCHOR_FILE", default=None,
        description="A file each anchor is also appended to, one JSON line each (keep it where "
        "a database administrator cannot write).")
