"""/train, /compare and /stop: this chat's trainings, queued in the background."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.constants import ChatType

from bot.refusals import training_refusal_text
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.training.queue import AlreadyTraining, NotEnoughSamples

__all__ = ["compare", "stop", "train"]


async def train(update: Update, context: BotContext) -> None:
    """Start training this chat's model in the background."""
    message = update.effective_message
    if message is None:
        return
    user_id = update.effective_user.id if update.effective_user else None
    training = context.bot_data.training
    lang = language(update)
    if not await _queue(update, training.train(message.chat_id, user_id, lang, message.message_id)):
        return
    # Before the model is trusted: what in the data could mislead it.
    group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    health = await context.bot_data.data_health.report(message.chat_id, lang, group=group)
    if health.lines:
        await reply(update, "\n".join(health.lines), health.keyboard)


async def compare(update: Update, context: BotContext) -> None:
    """Compare dense and cnn on this chat's data in the background; the model stays."""
    message = update.effective_message
    if message is None:
        return
    training = context.bot_data.training
    await _queue(update, training.compare(message.chat_id, language(update), message.message_id))


async def _queue(update: Update, queued: Awaitable[None]) -> bool:
    """Await a queueing call of the training queue; explain why it refused, if it did.

    Returns whether the job was queued.
    """
    try:
        await queued
    except (AlreadyTraining, NotEnoughSamples) as exc:
        await reply(update, training_refusal_text(exc, language(update)))
        return False
    return True


async def stop(update: Update, context: BotContext) -> None:
    """Cancel this chat's training."""
    chat = update.effective_chat
    if chat is None:
        return
    stopped = await context.bot_data.training.stop(chat.id)
    await reply(update, t("stop.done" if stopped else "stop.nothing", language(update)))
