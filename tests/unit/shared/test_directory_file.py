"""The shared customer directory: one stack-wide setting both services read (intake's own still
wins for intake), and a file that is re-read when it changes, keeping the last good one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hotline.directory import DirectoryFile, DirectoryFileError
from hotline_intake.settings import IntakeSettings
from hotline_notifier.settings import NotifierSettings

ACME = """customers:
  - name: Acme Corp
    locations: [100 Main St]
    contacts: [noc@acme.example]
"""


def test_both_services_read_the_stack_wide_directory_file(monkeypatch):
    monkeypatch.setenv("HOTLINE_DIRECTORY_FILE", "/etc/hotline/directory.yaml")
    assert IntakeSettings().directory_file == NotifierSettings().directory_file == Path(
        "/etc/hotline/directory.yaml")


def test_a_services_own_directory_file_wins_over_the_stack_wide_one(monkeypatch):
    monkeypatch.setenv("HOTLINE_DIRECTORY_FILE", "/stack.yaml")
    monkeypatch.setenv("HOTLINE_INTAKE_DIRECTORY_FILE", "/intake.yaml")
    assert IntakeSettings().directory_file == Path("/intake.yaml")
    assert NotifierSettings().directory_file == Path("/stack.yaml")


def test_no_file_is_an_empty_directory():
    assert DirectoryFile(None).current().customers == []


def test_an_edited_file_is_read_again_and_a_broken_edit_keeps_the_last_good_one(tmp_path):
    path = tmp_path / "directory.yaml"
    path.write_text(ACME)
    source = DirectoryFile(path)
    assert [c.name for c in source.current().customers] == ["Acme Corp"]
    path.write_text(ACME + """  - name: Globex Telecom
    locations: [42 Harbor Rd]
    contacts: [support@globex.example]
""")
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    assert [c.name for c in source.current().customers] == ["Acme Corp", "Globex Telecom"]
    path.write_text("customers: [{name: Broken}]\n")
    os.utime(path, ns=(1, 3_000_000_000_000_000_000))
    assert len(source.current().customers) == 2


def test_a_broken_file_at_start_up_fails_the_start(tmp_path):
    path = tmp_path / "directory.yaml"
    path.write_text("customers: [{name: Broken}]\n")
    with pytest.raises(DirectoryFileError, match="directory.yaml"):
        DirectoryFile(path)
