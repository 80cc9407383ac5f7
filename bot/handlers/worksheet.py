"""/worksheet: a printable sheet of boxes to draw in, with the chat's labels on its rows."""

from __future__ import annotations

from telegram import Update

from bot.labels.built_in import shown_name, stored_name
from bot.labels.names import InvalidLabel, normalise_label
from bot.refusals import invalid_label_text
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t

__all__ = ["worksheet"]


async def worksheet(update: Update, context: BotContext) -> None:
    """Send the sheet as a PDF to print and a picture, labels from the arguments or the chat."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    lang = language(update)
    try:
        typed = [normalise_label(raw) for raw in context.args or ()]
    except InvalidLabel as exc:
        await reply(update, invalid_label_text(exc, lang))
        return
    known = {c.name for c in await context.bot_data.repo.labels.counts(chat.id)}
    wanted = tuple(dict.fromkeys(stored_name(label, known) for label in typed))
    files = await context.bot_data.worksheets.sheet(chat.id, wanted, lang)
    printed = [shown_name(label, lang) for label in files.labels if label]
    caption = t("sheet.caption", lang, labels=", ".join(printed) or "–")
    await message.reply_document(
        files.pdf, filename=t("sheet.file_name", lang), caption=caption, do_quote=True
    )
    await message.reply_photo(files.png)
