"""The parameters a chat can change with /set, with their valid ranges.

Most are its training's (model.job.TrainParams, checked by the contract's PARAM_RULES). One
is the bot's own: ``builtin`` off hides the built-in model's answers until the chat (or
class) has trained a model of its own, so a lesson can start from a model that knows
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.texts import t
from bot.texts.numbers import number, parse_decimal
from model.job import PARAM_RULES, ParamRule, TrainParams

__all__ = [
    "BUILTIN",
    "DEFAULTS",
    "PARAMETERS",
    "InvalidParameter",
    "Parameter",
    "builtin_answers",
    "parse_parameter",
    "training_params",
    "with_defaults",
]

BUILTIN = "builtin"


class InvalidParameter(ValueError):
    """A /set that names an unknown parameter (``parameter`` None) or a value out of range."""

    def __init__(self, name: str, parameter: Parameter | None) -> None:
        super().__init__(name)
        self.name = name
        self.parameter = parameter

    def rule(self, lang: str | None) -> str:
        """Describe what would have been valid, in ``lang``."""
        if self.parameter is None:
            return t("params.rule_names", lang, names=", ".join(PARAMETERS))
        return self.parameter.rule(lang)


@dataclass(frozen=True)
class Parameter:
    """One parameter: its default and the contract's rule of what is valid."""

    name: str
    default: Any
    valid: ParamRule

    def rule(self, lang: str | None) -> str:
        """Describe the valid values in ``lang``, for error messages and /params."""
        valid = self.valid
        if valid.choices:
            return f" {t('params.or', lang)} ".join(valid.choices)
        key = "params.rule_whole" if valid.kind is int else "params.rule_number"
        assert valid.low is not None and valid.high is not None
        return t(key, lang, low=number(valid.low, lang), high=number(valid.high, lang))

    def parse(self, raw: str) -> Any:
        """Return the value ``raw`` stands for, or raise ``InvalidParameter``."""
        text = raw.strip().lower()
        # A decimal comma is as good as a point, in every language: German pupils type 0,001.
        kind = parse_decimal if self.valid.kind is float else self.valid.kind
        try:
            value = text if self.valid.choices else kind(text)
        except ValueError:
            raise InvalidParameter(self.name, self) from None
        if not self.valid.accepts(value):
            raise InvalidParameter(self.name, self)
        return value


_TRAINING: dict[str, Parameter] = {
    name: Parameter(name, default, PARAM_RULES[name])
    for name, default in TrainParams().to_json().items()
}
# /params lists the training's first, then the bot's own.
PARAMETERS: dict[str, Parameter] = {
    **_TRAINING,
    BUILTIN: Parameter(BUILTIN, "on", ParamRule(str, choices=("on", "off"))),
}
DEFAULTS: dict[str, Any] = {name: p.default for name, p in PARAMETERS.items()}


def parse_parameter(name: str, raw: str) -> tuple[str, Any]:
    """Return the canonical name and the checked value of ``/set name raw``."""
    key = name.strip().lower().replace("-", "_")
    parameter = PARAMETERS.get(key)
    if parameter is None:
        raise InvalidParameter(key, None)
    return key, parameter.parse(raw)


def with_defaults(stored: dict[str, Any]) -> dict[str, Any]:
    """Return all parameters: the chat's own values over the defaults."""
    return {**DEFAULTS, **{k: v for k, v in stored.items() if k in PARAMETERS}}


def training_params(stored: dict[str, Any]) -> dict[str, Any]:
    """Return the training's parameters (a job's), the chat's own values over the defaults."""
    return {k: v for k, v in with_defaults(stored).items() if k in _TRAINING}


def builtin_answers(stored: dict[str, Any]) -> bool:
    """Whether the built-in model answers while the chat has no model of its own."""
    return bool(with_defaults(stored)[BUILTIN] == "on")
