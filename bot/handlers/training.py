"""/train, /compare, /stop, /set, /params and /debug."""

from __future__ import annotations

import io
from collections.abc import Awaitable

import numpy as np
from PIL import Image
from telegram import Update

from bot.handlers.common import language, reply, shown
from bot.params import PARAMETERS, InvalidParameter, parse_parameter, with_defaults
from bot.services import BotContext
from bot.texts import t
from bot.trainer import AlreadyTraining, NotEnoughSamples

__all__ = ["compare", "debug", "params", "set_param", "stop", "train"]

DEBUG_SCALE = 10  # 28 px shown as 280 px, each input pixel a visible square


async def train(update: Update, context: BotContext) -> None:
    """Start training this chat's model in the background."""
    message = update.effective_message
    if message is None:
        return
    user_id = update.effective_user.id if update.effective_user else None
    trainer = context.bot_data.trainer
    lang = language(update)
    await _queue(update, trainer.train(message.chat_id, user_id, lang, message.message_id))


async def compare(update: Update, context: BotContext) -> None:
    """Compare dense and cnn on this chat's data in the background; the model stays."""
    message = update.effective_message
    if message is None:
        return
    trainer = context.bot_data.trainer
    await _queue(update, trainer.compare(message.chat_id, language(update), message.message_id))


async def _queue(update: Update, queued: Awaitable[None]) -> None:
    """Await a trainer's queueing call; explain why it refused, if it did."""
    lang = language(update)
    try:
        await queued
    except AlreadyTraining:
        await reply(update, t("train.already", lang))
    except NotEnoughSamples as exc:
        if not exc.missing:
            await reply(update, t("train.too_few_labels", lang, minimum=exc.minimum))
            return
        lines = [t("train.not_enough", lang, minimum=exc.minimum)]
        lines += [t("train.missing", lang, label=k, missing=v) for k, v in exc.missing.items()]
        await reply(update, "\n".join(lines))


async def stop(update: Update, context: BotContext) -> None:
    """Cancel this chat's training."""
    chat = update.effective_chat
    if chat is None:
        return
    stopped = await context.bot_data.trainer.stop(chat.id)
    await reply(update, t("stop.done" if stopped else "stop.nothing", language(update)))


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
        t("set.done", lang, name=name, value=f"{value:g}" if isinstance(value, float) else value),
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
        text = f"{value:g}" if isinstance(value, float) else str(value)
        lines.append(t("params.line", lang, name=name, value=text, rule=parameter.rule(lang)))
    await reply(update, "\n".join(lines))


async def debug(update: Update, context: BotContext) -> None:
    """Show the 28x28 picture the model sees for the replied-to image."""
    message = update.effective_message
    lang = language(update)
    if message is None:
        return
    target = message.reply_to_message
    repo = context.bot_data.repo
    sample = (
        None
        if target is None
        else await repo.samples.for_message(message.chat_id, target.message_id)
    )
    pixels = None if sample is None else await repo.samples.model_input(message.chat_id, sample.id)
    if sample is None or pixels is None:
        await reply(update, t("debug.usage", lang))
        return
    size = int(len(pixels) ** 0.5)
    picture = Image.fromarray(np.frombuffer(pixels, np.uint8).reshape(size, size))
    picture = picture.resize((size * DEBUG_SCALE, size * DEBUG_SCALE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    await message.reply_photo(
        buffer.getvalue(), caption=t("debug.caption", lang, size=size), do_quote=True
    )
