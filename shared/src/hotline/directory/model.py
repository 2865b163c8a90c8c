"""The customer directory: who the customers are, their registered locations and contacts.

Two services read it: intake (who may open tickets, for which location) and notifier (whom to
tell about maintenance). It is data, loaded from a YAML file (`hotline.directory.yaml_file`).

Matching rules (decisions where the contract is silent):
* Customer names match ignoring case and runs of whitespace; nothing fuzzier.
* Locations match after case folding, dropping punctuation (",", ".", ";", ":", "#") and
  spelling out common abbreviations (St → Street, Ave → Avenue, Rd → Road, …). The same
  normalisation runs on both sides, so an ambiguous one ("St" as Saint) still compares equal.
  If no address matches exactly, a unique one whose words begin with the given words, or the
  other way round ("100 Main St" ↔ "100 Main St, Springfield"), is accepted; the shorter side must
  have at least two words.
* Contacts match on the full address, ignoring case.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_ADDRESS_PUNCTUATION = re.compile(r"[,.;:#]")
_ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "hwy": "highway",
    "pkwy": "parkway",
    "ste": "suite",
    "fl": "floor",
    "bldg": "building",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
}
_MIN_PREFIX_WORDS = 2


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Location(_Record):
    """A registered service location (a "Location Address" in the contract)."""

    address: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: Any) -> Any:
        return {"address": data} if isinstance(data, str) else data


class Contact(_Record):
    """A person or mailbox allowed to open tickets for a customer."""

    email: str
    name: str | None = None
    time_zone: str | None = Field(None, description="IANA zone the web console shows this contact "
                                  "times in (default: the support calendar's).")

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: Any) -> Any:
        return {"email": data} if isinstance(data, str) else data

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not a time zone (e.g. America/New_York)") from None
        return value

    @field_validator("email")
    @classmethod
    def _email_address(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address (expected name@domain)")
        return value.lower()


class Customer(_Record):
    """A customer, as named in the first part of a ticket subject."""

    name: str = Field(min_length=1)
    locations: list[Location] = Field(min_length=1)
    contacts: list[Contact] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_duplicates(self) -> Customer:
        _reject_duplicates(
            (normalise_address(loc.address) for loc in self.locations),
            f"customer {self.name!r} lists the same location twice",
        )
        _reject_duplicates(
            (contact.email for contact in self.contacts),
            f"customer {self.name!r} lists the same contact email twice",
        )
        return self


class Directory(_Record):
    """All registered customers, with the lookups intake and notifier need."""

    customers: list[Customer] = Field(default_factory=list)
    _by_name: dict[str, Customer] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> Directory:
        _reject_duplicates(
            (normalise_name(c.name) for c in self.customers),
            "two customers have the same name (names compare ignoring case and spacing)",
        )
        self._by_name = {normalise_name(c.name): c for c in self.customers}
        return self

    def find_customer(self, name: str) -> Customer | None:
        return self._by_name.get(normalise_name(name))

    def match_location(self, customer: Customer, text: str) -> Location | None:
        wanted = normalise_address(text).split()
        if not wanted:
            return None
        by_words = [(normalise_address(loc.address).split(), loc) for loc in customer.locations]
        for words, location in by_words:
            if words == wanted:
                return location
        prefixed = [loc for words, loc in by_words if _one_begins_the_other(words, wanted)]
        return prefixed[0] if len(prefixed) == 1 else None

    def registered_contact(self, email: str) -> Contact | None:
        """The contact with this address under any customer, as the directory stores it."""
        return next((c for customer in self.customers
                     if (c := self.contact(customer, email)) is not None), None)

    def is_contact(self, customer: Customer, email: str) -> bool:
        return self.contact(customer, email) is not None

    def contact(self, customer: Customer, email: str) -> Contact | None:
        """The customer's contact with this address, or None."""
        wanted = email.strip().lower()
        return next((c for c in customer.contacts if c.email == wanted), None)


def normalise_name(name: str) -> str:
    return " ".join(name.casefold().split())


def normalise_address(text: str) -> str:
    words = _ADDRESS_PUNCTUATION.sub(" ", text.casefold()).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def _one_begins_the_other(a: list[str], b: list[str]) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= _MIN_PREFIX_WORDS and longer[: len(shorter)] == shorter


def _reject_duplicates(values: Any, message: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{message}: {value!r}")
        seen.add(value)
