"""`FastJSONTranscoder`: eventsourcing's `JSONTranscoder`, decoding with `orjson`.

The library's transcoder decodes with the standard `json` module and an `object_hook`, a
Python call for every JSON object of an event (most of them `{"_type_": ..., "_data_": ...}`
markers of datetimes and UUIDs), which made decoding most of the cost of a replay. This one
parses with `orjson` into plain dicts and lists, then walks them once, bottom-up as the hook
does, turning each marker into its object through the same registered transcodings: the same
objects from the same bytes. What `orjson` refuses and the standard parser accepts (NaN and
Infinity, lone surrogate escapes, nesting deeper than 1024) is decoded by the library's
decoder instead, and so is a document holding a number of 2**63 or more in magnitude
(`orjson` reads integers beyond 64 bits as floats; the standard parser keeps them exact).

Encoding is the library's own (`json.JSONEncoder`, compact separators, `ensure_ascii=False`):
the stored bytes of an event are exactly what they were, which the hash chain
(`hotline.audit`) depends on, and events written by either transcoder decode with the other.

Applications pick it through the `TRANSCODER_TOPIC` setting (`hotline.eventstore`'s
environments); being a `JSONTranscoder`, it gets the application's `register_transcodings`.
Transcodings are to be added with `register`, as for the library's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (DatetimeAsISO, DecimalAsStr, JSONTranscoder, Transcoding,
                                       TranscodingNotRegisteredError, UUIDAsHex)

TOPIC = "hotline.transcoding:FastJSONTranscoder"

# What the library's own transcodings' `decode` does with a string, in one call (their
# `assert isinstance(data, str)` aside, so only used on strings).
_ON_STRINGS: dict[type[Transcoding], Callable[[str], Any]] = {
    DatetimeAsISO: datetime.fromisoformat, UUIDAsHex: UUID, DecimalAsStr: Decimal}

_EXACT = float(2**63)  # floats at least this large may be integers orjson could not keep exact


class _Refused(Exception):
    """The parsed document may differ from the standard parser's: decode with that."""


class FastJSONTranscoder(JSONTranscoder):
    def __init__(self) -> None:
        super().__init__()
        self._on_strings: dict[str, Callable[[str], Any]] = {}
        self._revive_dict, self._revive_list = _reviver(self.names, self._on_strings)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._on_strings[transcoding.name] = _ON_STRINGS.get(type(transcoding), transcoding.decode)

    def decode(self, data: bytes) -> Any:
        try:
            obj = orjson.loads(data)
            kind = type(obj)
            if kind is dict:
                return self._revive_dict(obj)
            if kind is list:
                self._revive_list(obj)
            elif kind is float and not -_EXACT < obj < _EXACT:
                raise _Refused
            return obj
        except (orjson.JSONDecodeError, _Refused):
            return super().decode(data)


def _reviver(names: dict[str, Transcoding], on_strings: dict[str, Callable[[str], Any]]
             ) -> tuple[Callable[[dict[str, Any]], Any], Callable[[list[Any]], None]]:
    """The walk over a parsed document, with the transcoder's registries bound once (both
    filled in place by `register`).

    Bottom-up, as `object_hook`: a marker's `_data_` is revived before the marker is decoded.
    A marker whose `_data_` is a string (every one of the library's transcodings), and a list
    inside a list (`[threshold, instant]`), are handled where their parent finds them, without
    a call of the walk for them: most of a stored event's objects are such.
    """

    def marker(name: Any, data: Any) -> Any:  # as JSONTranscoder._decode_obj, errors included
        try:
            transcoding = names[name]
        except KeyError as e:
            msg = (f"Data serialized with name '{name}' is not deserializable. "
                   "Please register a custom transcoding for this type.")
            raise TranscodingNotRegisteredError(msg) from e
        return transcoding.decode(data)

    def revive_dict(d: dict[str, Any]) -> Any:
        for key, value in d.items():
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and "_type_" in value and type(value.get("_data_")) is str:
                    decode = on_strings.get(value["_type_"])
                    d[key] = (decode(value["_data_"]) if decode is not None
                              else marker(value["_type_"], value["_data_"]))
                else:
                    d[key] = revive_dict(value)
            elif kind is list:
                if value:
                    revive_list(value)
            elif kind is float and not -_EXACT < value < _EXACT:
                raise _Refused
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            return marker(d["_type_"], d["_data_"])
        return d

    def revive_list(items: list[Any]) -> None:
        index = 0
        for value in items:
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and "_type_" in value and type(value.get("_data_")) is str:
                    decode = on_strings.get(value["_type_"])
                    items[index] = (decode(value["_data_"]) if decode is not None
                                    else marker(value["_type_"], value["_data_"]))
                else:
                    items[index] = revive_dict(value)
            elif kind is list:
                inner = 0
                for item in value:
                    kind = type(item)
                    if kind is dict:
                        if len(item) == 2 and "_type_" in item and type(item.get("_data_")) is str:
                            decode = on_strings.get(item["_type_"])
                            value[inner] = (decode(item["_data_"]) if decode is not None
                                            else marker(item["_type_"], item["_data_"]))
                        else:
                            value[inner] = revive_dict(item)
                    elif kind is list:
                        if item:
                            revive_list(item)
                    elif kind is float and not -_EXACT < item < _EXACT:
                        raise _Refused
                    inner += 1
            elif kind is float and not -_EXACT < value < _EXACT:
                raise _Refused
            index += 1

    return revive_dict, revive_list
