"""Where a service gets the customer directory: its YAML file, named by a setting, re-read when
the file changes.

`HOTLINE_DIRECTORY_FILE` names the file for the whole stack; a service's own
`HOTLINE_<SERVICE>_DIRECTORY_FILE` (intake's predates the stack-wide one) wins over it.
`DirectoryFile.current()` re-reads the file when its modification time or size changed, so an
edited directory reaches a running service without a restart; a broken edit is logged and the
directory read last stays in force. A file that is broken at start-up fails the start.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field

from hotline.directory.model import Directory
from hotline.directory.yaml_file import DirectoryFileError, load_directory

log = logging.getLogger(__name__)

STACK_VARIABLE = "HOTLINE_DIRECTORY_FILE"


def directory_file_setting(service_prefix: str) -> Any:
    """The settings field naming the directory file: `<service_prefix>DIRECTORY_FILE`, else
    `HOTLINE_DIRECTORY_FILE`, else none (an empty directory)."""
    return Field(
        None, validation_alias=AliasChoices(f"{service_prefix}DIRECTORY_FILE", STACK_VARIABLE),
        description=f"Customer directory YAML (customers, locations, contacts); {STACK_VARIABLE} "
        f"for the whole stack, {service_prefix}DIRECTORY_FILE for this service alone.",
    )


class DirectoryFile:
    """The directory in a YAML file (none: an empty directory), re-read when the file changes."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._directory = Directory(customers=[])
        if self.path is not None:
            self._stamp = self._stat()
            self._directory = load_directory(self.path)

    def current(self) -> Directory:
        if self.path is None:
            return self._directory
        with self._lock:
            try:
                stamp = self._stat()
                if stamp != self._stamp:
                    self._stamp = stamp  # a broken edit is reported once, not at every call
                    self._directory = load_directory(self.path)
            except (DirectoryFileError, OSError) as exc:
                log.warning("customer directory not reloaded; the one read before stays: %s", exc)
            return self._directory

    def _stat(self) -> tuple[int, int]:
        assert self.path is not None
        stat = self.path.stat()
        return stat.st_mtime_ns, stat.st_size
