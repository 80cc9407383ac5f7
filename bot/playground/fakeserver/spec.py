"""The Bot API spec (JSON) and checks of requests and responses against it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .params import Upload, decode_typed

# The Bot API 10.0 specification (MIT; its LICENSE lies beside it), shipped with the playground.
SPEC_PATH = Path(__file__).resolve().parents[1] / "telegram_api" / "api.json"
ARRAY_PREFIX = "Array of "
_PRIMITIVES = frozenset({"Integer", "Float", "String", "Boolean", "True", "InputFile"})


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method, or one field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method: its parameters and what it returns."""

    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    """One Bot API type: its fields, or the subtypes it is a union of."""

    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]


def _fields(raw: Iterable[Mapping[str, Any]]) -> dict[str, FieldSpec]:
    return {f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw}


class ApiSpec:
    """A loaded Bot API spec; answers which methods exist and checks values against types."""

    def __init__(self, methods: Mapping[str, MethodSpec], types: Mapping[str, TypeSpec]) -> None:
        self.methods = dict(methods)
        self.types = dict(types)
        self._by_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def load(cls, path: Path) -> ApiSpec:
        """Read a spec in the ``{"methods": {...}, "types": {...}}`` JSON format."""
        document = json.loads(path.read_text(encoding="utf-8"))
        methods = {
            name: MethodSpec(name, _fields(m.get("fields", [])), tuple(m.get("returns", [])))
            for name, m in document["methods"].items()
        }
        types = {
            name: TypeSpec(name, _fields(t.get("fields", [])), tuple(t.get("subtypes", [])))
            for name, t in document["types"].items()
        }
        return cls(methods, types)

    def resolve_method(self, name: str) -> str | None:
        """Return the canonical name of a method (Telegram ignores case), or None."""
        return self._by_lower.get(name.lower())

    def decode(self, method: str, name: str, raw: str) -> Any | None:
        """Decode a form value of ``method``'s parameter ``name``; None if it is unknown."""
        field = self.methods[method].fields.get(name)
        if field is None:
            return None
        return decode_typed(list(field.types), raw)

    def check_request(self, method: str, params: Mapping[str, Any]) -> tuple[str | None, list[str]]:
        """Return the first missing required parameter and the problems found in ``params``."""
        spec = self.methods[method]
        missing = next(
            (f.name for f in spec.fields.values() if f.required and params.get(f.name) is None),
            None,
        )
        problems: list[str] = []
        for name, value in params.items():
            field = spec.fields.get(name)
            if field is None:
                problems.append(f"{method}: unknown parameter {name!r}")
            elif value is not None:
                problems.extend(self.check_value(field.types, value, f"{method}.{name}"))
        return missing, problems

    def check_result(self, method: str, result: Any) -> list[str]:
        """Return the problems in a method's result, judged by what the spec says it returns."""
        returns = self.methods[method].returns
        if not returns:
            return []
        return self.check_value(returns, result, f"{method} result")

    def check_value(self, types: Iterable[str], value: Any, where: str) -> list[str]:
        """Return problems if ``value`` matches none of ``types``; empty when it matches one."""
        best: list[str] | None = None
        for type_name in types:
            problems = self._check_one(type_name, value, where)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    def _check_one(self, type_name: str, value: Any, where: str) -> list[str]:
        if type_name.startswith(ARRAY_PREFIX):
            if not isinstance(value, list):
                return [f"{where}: expected {type_name}, got {_kind(value)}"]
            item_type = type_name.removeprefix(ARRAY_PREFIX)
            problems: list[str] = []
            for index, item in enumerate(value):
                problems.extend(self._check_one(item_type, item, f"{where}[{index}]"))
            return problems
        if type_name in _PRIMITIVES:
            return (
                []
                if _is_primitive(type_name, value)
                else [f"{where}: expected {type_name}, got {_kind(value)}"]
            )
        spec = self.types.get(type_name)
        if spec is None:
            return []  # A type the spec names but does not describe: nothing to check.
        if spec.subtypes:
            return self.check_value(spec.subtypes, value, where)
        return self._check_object(spec, value, where)

    def _check_object(self, spec: TypeSpec, value: Any, where: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: expected {spec.name}, got {_kind(value)}"]
        problems = [
            f"{where}: {spec.name} lacks required field {f.name!r}"
            for f in spec.fields.values()
            if f.required and f.name not in value
        ]
        for name, item in value.items():
            field = spec.fields.get(name)
            if field is None:
                if spec.fields:  # types with no fields (e.g. CallbackGame) accept anything
                    problems.append(f"{where}: {spec.name} has no field {name!r}")
            else:
                problems.extend(self.check_value(field.types, item, f"{where}.{name}"))
        return problems


def _is_primitive(type_name: str, value: Any) -> bool:
    if type_name == "InputFile":
        return isinstance(value, Upload | str)
    if type_name == "String":
        return isinstance(value, str)
    if type_name in ("Boolean", "True"):
        return isinstance(value, bool)
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return type(value).__name__
