"""/set and /params: this chat's training parameters and their valid ranges."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from bot.texts.numbers import number
from bot.training.parameters import PARAMETERS, InvalidParameter, parse_parameter, with_defaults

__all__ = ["params", "set_param"]


async def set_param(update: Update, context: BotContext) -> None:
    """Change one training parameter of this chat."""
    chat = update.effective_chat
    lang = language(update)
    args = context.args or []
    if chat is None:
        return
    if len(args) != 2:
        await reply(update, t("set.usage", lang))
        return
    try:
        name, value = parse_parameter(args[0], args[1])
    except InvalidParameter as exc:
        key = "set.invalid" if exc.name in PARAMETERS else "set.unknown"
        await reply(update, t(key, lang, name=shown(exc.name), rule=exc.rule(lang)))
        return
    await context.bot_data.repo.runs.set_param(chat.id, name, value)
    await reply(
        update,
        t("set.done", lang, name=name, value=_value_text(value, lang)),
    )


async def params(update: Update, context: BotContext) -> None:
    """Show this chat's training parameters and their valid ranges."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = language(update)
    values = with_defaults(await context.bot_data.repo.runs.params(chat.id))
    lines = [t("params.header", lang)]
    for name, parameter in PARAMETERS.items():
        value = values[name]
        text = _value_text(value, lang)
        lines.append(t("params.line", lang, name=name, value=text, rule=parameter.rule(lang)))
        lines.append("   " + t(f"params.about.{name}", lang))  # under its line
    await reply(update, "\n".join(lines))


def _value_text(value: object, lang: str | None) -> str:
    """Return a parameter's value as this chat writes numbers (0,001 in German)."""
    return number(value, lang) if isinstance(value, float) else str(value)
