"""Loading the customer directory from YAML, and the errors a broken file produces."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotline.directory import DirectoryFileError, directory_from_yaml, load_directory
from hotline_intake import DEMO_DIRECTORY_PATH


def test_demo_directory_has_acme_and_globex() -> None:
    directory = load_directory(DEMO_DIRECTORY_PATH)
    acme = directory.find_customer("Acme Corp")
    globex = directory.find_customer("Globex Telecom")
    assert acme is not None and globex is not None
    assert [loc.address for loc in acme.locations] == ["100 Main St, Springfield"]
    assert [(c.email, c.name) for c in acme.contacts] == [("noc@acme.example", "Acme NOC")]
    assert [loc.address for loc in globex.locations] == ["42 Harbor Rd, Shelbyville"]
    assert [c.email for c in globex.contacts] == ["support@globex.example"]


def test_load_directory_accepts_a_string_path() -> None:
    assert load_directory(str(DEMO_DIRECTORY_PATH)).find_customer("acme corp") is not None


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(DirectoryFileError, match="nope.yaml: cannot read the customer directory"):
        load_directory(missing)


def test_directory_file_error_is_a_value_error() -> None:
    assert issubclass(DirectoryFileError, ValueError)


BROKEN = {
    "not yaml": ("customers: [\n", "directory.yaml: not valid YAML at line 2"),
    "empty": ("", "found an empty file"),
    "a list": ("- name: Acme\n", "expected a mapping with a 'customers' list at the top level"),
    "customers not a list": ("customers: 3\n", "customers: Input should be a valid list"),
    "unknown key": (
        "customers: []\nextra: 1\n",
        "extra: Extra inputs are not permitted",
    ),
    "missing name": (
        "customers:\n  - locations: [1 Main St]\n    contacts: [a@b.example]\n",
        "customers[0].name: Field required",
    ),
    "no locations": (
        "customers:\n  - name: Acme Corp\n    locations: []\n    contacts: [a@b.example]\n",
        "customers[0].locations (customer 'Acme Corp'): List should have at least 1 item",
    ),
    "bad email": (
        (
            "customers:\n  - name: Acme Corp\n    locations: [1 Main St]\n"
            "    contacts: [{email: noc-at-acme, name: NOC}]\n"
        ),
        "customers[0].contacts[0].email (customer 'Acme Corp'): 'noc-at-acme' is not an email",
    ),
    "duplicate customers": (
        (
            "customers:\n"
            "  - {name: Acme Corp, locations: [1 A St], contacts: [a@b.example]}\n"
            "  - {name: acme corp, locations: [2 B St], contacts: [c@d.example]}\n"
        ),
        "two customers have the same name",
    ),
}


@pytest.mark.parametrize(("text", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_directory_says_where_and_what(text: str, message: str) -> None:
    with pytest.raises(DirectoryFileError) as caught:
        directory_from_yaml(text, source="directory.yaml")
    assert str(caught.value).startswith("directory.yaml: ")
    assert message in str(caught.value)
