"""Generate the JSON Schemas and the AsyncAPI 3.0 document from the registered models.

The output is deterministic (sorted keys, stable order) so a test can compare
what the models say with what is checked in under `contracts/`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hotline.contracts  # noqa: F401  (registers every contract)
from hotline.contracts import topics
from hotline.contracts.envelope import POSITION_HEADER
from hotline.contracts.registry import REGISTRY

SCHEMA_DIR = "schemas"
ASYNCAPI_FILE = "asyncapi.json"


def json_schema(ce_type: str) -> dict[str, Any]:
    contract = REGISTRY[ce_type]
    schema = contract.model.model_json_schema(mode="serialization")
    schema["$id"] = f"https://hotline.example/schemas/{ce_type}.json"
    schema["title"] = ce_type
    schema["description"] = contract.summary
    return schema


def _headers_schema(ce_type: str) -> dict[str, Any]:
    def text(description: str, **extra: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **extra}

    return {
        "type": "object",
        "required": [
            "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time",
            "ce_subject", "content-type", POSITION_HEADER,
        ],
        "properties": {
            "ce_specversion": text("CloudEvents version", const="1.0"),
            "ce_id": text("<originator_id>:<originator_version>, stable across republishing"),
            "ce_source": text("/hotline/<service>"),
            "ce_type": text("CloudEvents type", const=ce_type),
            "ce_time": text("When the event happened (RFC 3339, UTC)", format="date-time"),
            "ce_subject": text("Ticket number (or submission id for rejections)"),
            "content-type": text("Body media type", const="application/json"),
            POSITION_HEADER: text("Position in the source service's event log (integer)"),
            "traceparent": text("W3C trace context"),
        },
    }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in topics.ALL:
        types = sorted(t for t, c in REGISTRY.items() if c.topic == topic)
        key = topic.replace(".", "_")
        channels[key] = {
            "address": topic,
            "description": f"Kafka topic {topic}; key = aggregate id (ticket id). "
            f"Unreadable messages go to {topics.dlq(topic)}.",
            "messages": {t.replace(".", "_"): {"$ref": f"#/components/messages/{t.replace('.', '_')}"}
                         for t in types},
        }
        if types:
            operations[f"receive_{key}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{key}"},
            }
        for t in types:
            messages[t.replace(".", "_")] = {
                "name": t,
                "title": t,
                "summary": REGISTRY[t].summary,
                "contentType": "application/json",
                "headers": _headers_schema(t),
                "payload": {"$ref": f"{SCHEMA_DIR}/{t}.json"},
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hotline events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (Kafka binary mode) published by Hotline services.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> dict[str, str]:
    """Every generated file: relative path → text."""
    files = {
        f"{SCHEMA_DIR}/{t}.json": json.dumps(json_schema(t), indent=2, sort_keys=True) + "\n"
        for t in sorted(REGISTRY)
    }
    files[ASYNCAPI_FILE] = json.dumps(asyncapi(), indent=2, sort_keys=True) + "\n"
    return files


def write(out_dir: Path) -> list[Path]:
    written = []
    schema_dir = out_dir / SCHEMA_DIR
    schema_dir.mkdir(parents=True, exist_ok=True)
    for stale in schema_dir.glob("*.json"):
        stale.unlink()
    for rel, text in render().items():
        path = out_dir / rel
        path.write_text(text)
        written.append(path)
    return written


def drift(out_dir: Path) -> list[str]:
    """Paths whose checked-in text differs from what the models generate."""
    expected = render()
    problems = [rel for rel, text in expected.items()
                if not (out_dir / rel).exists() or (out_dir / rel).read_text() != text]
    present = {f"{SCHEMA_DIR}/{p.name}" for p in (out_dir / SCHEMA_DIR).glob("*.json")}
    problems += sorted(present - expected.keys())
    return problems
