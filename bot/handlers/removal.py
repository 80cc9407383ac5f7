"""/undo and /delete <label> (with its Yes/No confirmation)."""

from __future__ import annotations

from telegram import Update

from bot.labels.built_in import shown_name, stored_name
from bot.labels.names import InvalidLabel, normalise_label
from bot.services import BotContext
from bot.telegram.replies import language, reply, yes_no
from bot.texts import t
from bot.texts.formats import shown

__all__ = ["DELETE_CALLBACK_PATTERN", "delete", "delete_answer", "undo"]

# callback_data must fit in 64 bytes and a label can take 128: buttons carry the
# label's id, plus the asker's id so only they can confirm.
DELETE_CALLBACK_PATTERN = r"^del:-?\d+:\d+:[yn]$"


async def undo(update: Update, context: BotContext) -> None:
    """Delete the sender's most recently labelled sample in this chat."""
    lang = language(update)
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    repo = context.bot_data.repo
    removed = await repo.samples.undo_last_labelled(chat.id, user.id)
    if removed is None or removed.label is None:
        await reply(update, t("undo.nothing", lang))
        return
    counts = await repo.labels.counts(chat.id)
    left = next((c.count for c in counts if c.name == removed.label), 0)
    await reply(update, t("undo.done", lang, label=removed.label, count=left))


async def delete(update: Update, context: BotContext) -> None:
    """Ask for confirmation before deleting a label and its samples."""
    lang = language(update)
    user = update.effective_user
    chat = update.effective_chat
    raw = " ".join(context.args or [])
    if user is None or chat is None:
        return
    if not raw:
        await reply(update, t("delete.usage", lang))
        return
    try:
        typed = normalise_label(raw)
    except InvalidLabel:
        await reply(update, t("delete.unknown", lang, label=shown(raw)))
        return
    repo = context.bot_data.repo
    counts = {c.name: c.count for c in await repo.labels.counts(chat.id)}
    name = stored_name(typed, counts)
    label_id = await repo.labels.id_of(chat.id, name)
    if label_id is None or name not in counts:
        await reply(update, t("delete.unknown", lang, label=shown(raw)))
        return
    keyboard = yes_no(t("delete.yes", lang), t("delete.no", lang), f"del:{label_id}:{user.id}")
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            t("delete.confirm", lang, label=shown_name(name, lang), count=counts[name]),
            reply_markup=keyboard,
        )


async def delete_answer(update: Update, context: BotContext) -> None:
    """Carry out or cancel a /delete when its asker taps Yes or No."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = language(update)
    _, label_id, asker, answer = query.data.split(":")
    if query.from_user.id != int(asker):
        await query.answer(t("delete.not_yours", lang), show_alert=True)
        return
    chat_id = query.message.chat.id
    repo = context.bot_data.repo
    name = await repo.labels.name_of(chat_id, int(label_id))
    await query.answer()
    if name is None:
        await query.edit_message_text(t("delete.gone", lang))
    elif answer == "y":
        removed = await repo.labels.delete(chat_id, name)
        await query.edit_message_text(
            t("delete.done", lang, label=shown_name(name, lang), count=removed)
        )
    else:
        await query.edit_message_text(t("delete.kept", lang, label=shown_name(name, lang)))
