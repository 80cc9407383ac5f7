"""Decoded request parameters: form strings turned back into the values the bot meant."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .error_replies import bad_request, required

ATTACH_PREFIX = "attach://"
_INTEGER = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}

# Parameters whose values are text even when they look like numbers or JSON: used when
# no API spec is loaded to say which types each parameter has.
STRING_PARAMETERS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "language_code",
        "url",
        "secret_token",
        "ip_address",
        "action",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "title",
        "description",
        "name",
        "custom_title",
        "data",
        "quote",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file uploaded with multipart/form-data."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"Upload({self.field!r}, {self.filename!r}, {len(self.data)} bytes)"


def decode_guess(name: str, raw: str) -> Any:
    """Decode a form value without type information, guessing from its look."""
    if name in STRING_PARAMETERS:
        return raw
    if raw[:1] in ("[", "{"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if raw in ("true", "false"):
        return raw == "true"
    if _INTEGER.fullmatch(raw):
        return int(raw)
    return raw


def decode_typed(types: list[str], raw: str) -> Any:
    """Decode a form value whose Bot API types (e.g. ``["Integer", "String"]``) are known."""
    kinds = set(types)
    if "Integer" in kinds and _INTEGER.fullmatch(raw):
        return int(raw)
    if "Float" in kinds and _FLOAT.fullmatch(raw):
        return float(raw)
    if "Boolean" in kinds and raw in _BOOLEANS:
        return _BOOLEANS[raw]
    if kinds <= {"String", "Integer", "Float", "Boolean", "InputFile"}:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class Params:
    """The decoded parameters of one request, with typed accessors for handlers."""

    def __init__(self, values: Mapping[str, Any], uploads: Mapping[str, Upload]) -> None:
        self.values = dict(values)
        self.uploads = dict(uploads)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        """Return the decoded value of ``name`` or None."""
        return self.values.get(name)

    def require(self, name: str) -> Any:
        """Return the value of ``name``, refusing the request if it is absent."""
        value = self.values.get(name)
        if value is None or value == "":
            raise required(name)
        return value

    def opt_int(self, name: str, default: int | None = None) -> int | None:
        """Return ``name`` as an integer, or ``default`` when absent."""
        value = self.values.get(name)
        if value is None:
            return default
        return _as_int(name, value)

    def req_int(self, name: str) -> int:
        """Return the required integer ``name``."""
        return _as_int(name, self.require(name))

    def opt_str(self, name: str, default: str | None = None) -> str | None:
        """Return ``name`` as text, or ``default`` when absent."""
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def req_str(self, name: str) -> str:
        """Return the required text ``name``."""
        value = self.require(name)
        return value if isinstance(value, str) else str(value)

    def flag(self, name: str, default: bool = False) -> bool:
        """Return ``name`` as a boolean."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in _BOOLEANS:
            return _BOOLEANS[value]
        if isinstance(value, int):
            return value != 0
        raise bad_request(f'can\'t parse "{name}" as Boolean')

    def json_value(self, name: str) -> Any:
        """Return ``name`` as a JSON value (object or array), decoding text if needed."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(f"can't parse {name} JSON object") from exc
        return value

    def file(self, name: str) -> Upload | str | None:
        """Return the file given as ``name``: an upload, or a file_id/URL string."""
        value = self.values.get(name)
        if value is None:
            return self.uploads.get(name)
        if isinstance(value, Upload):
            return value
        return self.resolve_attachment(str(value))

    def resolve_attachment(self, reference: str) -> Upload | str:
        """Turn ``attach://<name>`` into the uploaded file; other strings stay as they are."""
        if not reference.startswith(ATTACH_PREFIX):
            return reference
        name = reference.removeprefix(ATTACH_PREFIX)
        upload = self.uploads.get(name)
        if upload is None:
            raise bad_request(f'can\'t find attached file "{name}"')
        return upload


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise bad_request(f'can\'t parse "{name}" as Integer')
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise bad_request(f'can\'t parse "{name}" as Integer')
