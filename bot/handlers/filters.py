"""/filters: the network's first-layer filters and a drawing through its layers, as a picture."""

from __future__ import annotations

from telegram import Update

from bot.samples.explanations import replied_sample
from bot.services import BotContext
from bot.telegram.replies import language, reply

__all__ = ["show_filters"]


async def show_filters(update: Update, context: BotContext) -> None:
    """/filters, alone (the newest drawing) or as a reply to a drawing or to its answer."""
    message = update.effective_message
    if message is None:
        return
    sample_id = await replied_sample(context.bot_data.repo, message)
    view = await context.bot_data.layer_views.view(message.chat_id, sample_id, language(update))
    if view.png is None:
        await reply(update, view.caption)
        return
    await message.reply_photo(view.png, caption=view.caption, do_quote=True)
