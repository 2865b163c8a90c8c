"""The customer directory: lookups, and validating a parsed subject against its sender."""

from __future__ import annotations

import pytest
from hotline.directory import Contact, Customer, Directory, Location, load_directory
from hotline_intake import DEMO_DIRECTORY_PATH
from hotline_intake.domain.directory import SubmissionRejected, ValidatedSubmission, validate_submission
from hotline_intake.domain.rejection import RejectionReason
from hotline_intake.domain.subject import parse_subject
from pydantic import ValidationError

ACME_NOC = "noc@acme.example"
GLOBEX = "support@globex.example"


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(DEMO_DIRECTORY_PATH)


@pytest.fixture(scope="module")
def acme(directory: Directory) -> Customer:
    customer = directory.find_customer("Acme Corp")
    assert customer is not None
    return customer


@pytest.mark.parametrize("name", ["Acme Corp", "acme corp", "ACME CORP", "  Acme \t  Corp "])
def test_find_customer_ignores_case_and_whitespace(directory: Directory, name: str) -> None:
    customer = directory.find_customer(name)
    assert customer is not None and customer.name == "Acme Corp"


@pytest.mark.parametrize("name", ["Acme", "AcmeCorp", "Acme Corp Inc", "Globex", ""])
def test_find_customer_does_not_guess(directory: Directory, name: str) -> None:
    assert directory.find_customer(name) is None


@pytest.mark.parametrize(
    "text",
    [
        "100 Main St, Springfield",
        "100 main st springfield",
        "100 Main Street, Springfield",
        "100 Main St. Springfield",
        "100  MAIN  STREET,  SPRINGFIELD.",
        "100 Main St",  # the city left off
        "100 Main Street, Springfield, IL 62701",  # more than registered
    ],
)
def test_match_location_normalises_case_punctuation_and_abbreviations(
    directory: Directory, acme: Customer, text: str
) -> None:
    assert directory.match_location(acme, text) == Location(address="100 Main St, Springfield")


@pytest.mark.parametrize(
    "text",
    ["", "100", "101 Main St, Springfield", "100 Main Ave, Springfield", "Main St", "42 Harbor Rd"],
)
def test_match_location_refuses_other_addresses(
    directory: Directory, acme: Customer, text: str
) -> None:
    assert directory.match_location(acme, text) is None


def test_match_location_abbreviations_on_both_sides() -> None:
    customer = Customer(
        name="Initech",
        locations=[Location(address="7 Riverside Avenue"), Location(address="9 Lake Rd")],
        contacts=[Contact(email="it@initech.example")],
    )
    directory = Directory(customers=[customer])
    assert directory.match_location(customer, "7 riverside ave").address == "7 Riverside Avenue"
    assert directory.match_location(customer, "9 Lake Road").address == "9 Lake Rd"


def test_match_location_prefix_must_be_unambiguous() -> None:
    customer = Customer(
        name="Initech",
        locations=[
            Location(address="1 Main St, Springfield"),
            Location(address="1 Main St, Ogdenville"),
        ],
        contacts=[Contact(email="it@initech.example")],
    )
    directory = Directory(customers=[customer])
    assert directory.match_location(customer, "1 Main St") is None
    assert directory.match_location(customer, "1 Main Street Ogdenville").address == (
        "1 Main St, Ogdenville"
    )


@pytest.mark.parametrize("email", [ACME_NOC, "NOC@Acme.Example", " noc@acme.example "])
def test_is_contact_ignores_case(directory: Directory, acme: Customer, email: str) -> None:
    assert directory.is_contact(acme, email)


@pytest.mark.parametrize("email", [GLOBEX, "noc@acme.example.evil", "noc@acme", ""])
def test_is_contact_refuses_others(directory: Directory, acme: Customer, email: str) -> None:
    assert not directory.is_contact(acme, email)


def test_validate_submission_accepts_a_contact_at_a_registered_location(
    directory: Directory,
) -> None:
    subject = parse_subject("acme corp – 100 Main Street, Springfield – No dial tone – P1")
    result = validate_submission(directory, subject, "NOC@acme.example")
    assert isinstance(result, ValidatedSubmission)
    assert result.customer.name == "Acme Corp"
    assert result.location.address == "100 Main St, Springfield"
    assert result.contact == Contact(email=ACME_NOC, name="Acme NOC")
    assert result.subject == subject


def rejection(directory: Directory, subject: str, sender: str) -> SubmissionRejected:
    with pytest.raises(SubmissionRejected) as caught:
        validate_submission(directory, parse_subject(subject), sender)
    return caught.value


def test_unknown_customer_reveals_nothing(directory: Directory) -> None:
    problem = rejection(directory, "Acme Corporation – 100 Main St – No tone – P1", ACME_NOC)
    assert problem.reason_code == RejectionReason.UNKNOWN_CUSTOMER == "unknown_customer"
    assert "'Acme Corporation'" in problem.message
    assert "not a registered customer" in problem.message
    for secret in ("Acme Corp;", "Globex", "Main St", "@"):
        assert secret not in problem.message
    assert problem.registered_locations == ()


def test_contact_of_another_customer_is_an_unknown_sender(directory: Directory) -> None:
    problem = rejection(directory, "Acme Corp – 100 Main St – No tone – P1", GLOBEX)
    assert problem.reason_code == RejectionReason.UNKNOWN_SENDER
    assert GLOBEX in problem.message and "Acme Corp" in problem.message
    assert "Main St" not in problem.message  # locations only go to verified contacts
    assert problem.registered_locations == ()


def test_unknown_sender_is_checked_before_location(directory: Directory) -> None:
    problem = rejection(directory, "Acme Corp – 1 Nowhere Ln – No tone", "stranger@evil.example")
    assert problem.reason_code == "unknown_sender"


def test_unknown_location_lists_the_registered_locations(directory: Directory) -> None:
    problem = rejection(directory, "Acme Corp – 42 Harbor Rd, Shelbyville – No tone – P2", ACME_NOC)
    assert problem.reason_code == RejectionReason.UNKNOWN_LOCATION
    assert "100 Main St, Springfield" in problem.message
    assert problem.registered_locations == ("100 Main St, Springfield",)


def test_globex_contact_can_open_globex_tickets(directory: Directory) -> None:
    subject = parse_subject("Globex Telecom – 42 Harbor Road Shelbyville – Portal down – P2")
    assert validate_submission(directory, subject, GLOBEX).customer.name == "Globex Telecom"


def test_models_refuse_bad_records() -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        Contact(email="nobody")
    with pytest.raises(ValidationError):
        Location(address="  ")
    with pytest.raises(ValidationError, match="at least 1"):
        Customer(name="X", locations=[], contacts=["a@b.example"])
    with pytest.raises(ValidationError, match="same location twice"):
        Customer(name="X", locations=["1 Main St", "1 main street"], contacts=["a@b.example"])
    with pytest.raises(ValidationError, match="same name"):
        Directory(
            customers=[
                Customer(name="Acme Corp", locations=["1 A St"], contacts=["a@b.example"]),
                Customer(name="ACME  corp", locations=["2 B St"], contacts=["c@d.example"]),
            ]
        )


def test_plain_strings_are_accepted_for_locations_and_contacts() -> None:
    customer = Customer(name="X", locations=["1 Main St"], contacts=["A@B.example"])
    assert customer.locations == [Location(address="1 Main St")]
    assert customer.contacts == [Contact(email="a@b.example")]
