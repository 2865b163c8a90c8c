"""Registry of contract types: CloudEvents type ↔ model ↔ topic."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.contracts.base import EventBody


@dataclass(frozen=True)
class ContractType:
    ce_type: str
    model: type[EventBody]
    topic: str
    summary: str


REGISTRY: dict[str, ContractType] = {}


def register(ce_type: str, topic: str):
    """Class decorator: register a model under its CloudEvents type and topic."""

    def wrap(model: type[EventBody]) -> type[EventBody]:
        if ce_type in REGISTRY:
            raise ValueError(f"contract type {ce_type} registered twice")
        summary = (model.__doc__ or ce_type).strip().splitlines()[0]
        REGISTRY[ce_type] = ContractType(ce_type, model, topic, summary)
        model.ce_type = ce_type  # type: ignore[attr-defined]
        return model

    return wrap


class UnknownContractType(LookupError):
    pass


def contract_for(ce_type: str) -> ContractType:
    try:
        return REGISTRY[ce_type]
    except KeyError:
        raise UnknownContractType(f"unknown CloudEvents type {ce_type!r}") from None
