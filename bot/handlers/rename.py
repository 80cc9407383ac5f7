"""/rename <old> <new>: give a label a new name; its samples and the trained model keep it."""

from __future__ import annotations

from telegram import Update

from bot.labels.built_in import shown_name, stored_name
from bot.labels.names import InvalidLabel, normalise_label
from bot.refusals import invalid_label_text
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from storage import LabelExists, LabelNotFound

__all__ = ["rename"]


async def rename(update: Update, context: BotContext) -> None:
    """Rename one of this chat's labels."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = language(update)
    args = context.args or []
    if len(args) != 2:
        await reply(update, t("rename.usage", lang))
        return
    try:
        typed_old, typed_new = normalise_label(args[0]), normalise_label(args[1])
    except InvalidLabel as exc:
        await reply(update, invalid_label_text(exc, lang))
        return
    services = context.bot_data
    known = await services.repo.labels.ids(chat.id)
    old, new = stored_name(typed_old, known), stored_name(typed_new, known)
    if old == new:
        await reply(update, t("rename.same", lang))
        return
    # A training reports on its labels by name: let it finish under the names it began with.
    if services.training.is_training(chat.id):
        await reply(update, t("rename.training", lang))
        return
    try:
        count = await services.repo.labels.rename(chat.id, old, new)
    except LabelNotFound:
        await reply(update, t("rename.unknown", lang, label=shown(args[0])))
        return
    except LabelExists:
        await reply(update, t("rename.exists", lang, label=shown_name(new, lang)))
        return
    await reply(
        update,
        t("rename.done", lang, old=shown_name(old, lang), new=shown_name(new, lang), count=count),
    )
