"""/filters: the network's first-layer filters and a drawing through its layers, as a picture."""

from __future__ import annotations

from telegram import Update

from bot.samples.explanations import answered_sample
from bot.services import BotContext
from bot.telegram.replies import language, reply

__all__ = ["show_filters"]


async def show_filters(update: Update, context: BotContext) -> None:
    """/filters, alone (the newest drawing) or as a reply to a drawing or to its answer."""
    message = update.effective_message
    if message is None:
        return
    target = message.reply_to_message
    sample_id = None
    if target is not None:
        sample_id = answered_sample(target)
        if sample_id is None:
            sample = await context.bot_data.repo.samples.for_message(
                message.chat_id, target.message_id
            )
            sample_id = None if sample is None else sample.id
    view = await context.bot_data.layer_views.view(message.chat_id, sample_id, language(update))
    if view.png is None:
        await reply(update, view.caption)
        return
    await message.reply_photo(view.png, caption=view.caption, do_quote=True)
