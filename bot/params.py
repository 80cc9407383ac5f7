"""Training parameters a chat can change with /set, with their valid ranges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.texts import t

__all__ = [
    "DEFAULTS",
    "PARAMETERS",
    "InvalidParameter",
    "Parameter",
    "parse_parameter",
    "with_defaults",
]


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
    """One parameter: its type, its default and what is valid."""

    name: str
    kind: type
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def rule(self, lang: str | None) -> str:
        """Describe the valid values in ``lang``, for error messages and /params."""
        if self.choices:
            return f" {t('params.or', lang)} ".join(self.choices)
        key = "params.rule_whole" if self.kind is int else "params.rule_number"
        return t(key, lang, low=f"{self.low:g}", high=f"{self.high:g}")

    def parse(self, raw: str) -> Any:
        """Return the value ``raw`` stands for, or raise ``InvalidParameter``."""
        text = raw.strip().lower()
        if self.choices:
            if text not in self.choices:
                raise InvalidParameter(self.name, self)
            return text
        try:
            value = self.kind(text)
        except ValueError:
            raise InvalidParameter(self.name, self) from None
        assert self.low is not None and self.high is not None
        # NaN fails both comparisons, so it is refused too.
        if not self.low <= value <= self.high:
            raise InvalidParameter(self.name, self)
        return value


# The defaults mirror model.training.TrainParams; the bot keeps its own copy because it
# must not import the training code (that pulls in TensorFlow).
PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("epochs", int, 40, 1, 200),
        Parameter("learning_rate", float, 0.001, 1e-5, 1.0),
        Parameter("batch_size", int, 16, 1, 256),
        Parameter("architecture", str, "cnn", choices=("cnn", "dense")),
        Parameter("validation", float, 0.2, 0.05, 0.5),
        Parameter("start", str, "pretrained", choices=("pretrained", "scratch")),
    )
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
