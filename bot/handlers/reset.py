"""/reset: delete all of a chat's samples and models, after the asker confirms."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from bot.telegram.replies import language, reply, yes_no
from bot.texts import t

__all__ = ["RESET_CALLBACK_PATTERN", "reset", "reset_answer"]

# The buttons carry the asker's id: only they can confirm.
RESET_CALLBACK_PATTERN = r"^reset:\d+:[yn]$"


async def reset(update: Update, context: BotContext) -> None:
    """Ask for confirmation before deleting everything this chat taught."""
    lang = language(update)
    user = update.effective_user
    chat = update.effective_chat
    message = update.effective_message
    if user is None or chat is None or message is None:
        return
    repo = context.bot_data.repo
    samples = await repo.samples.count(chat.id)
    labels = len(await repo.labels.counts(chat.id))
    if samples == 0 and labels == 0 and await repo.runs.serving(chat.id) is None:
        await reply(update, t("reset.empty", lang))
        return
    keyboard = yes_no(t("reset.yes", lang), t("reset.no", lang), f"reset:{user.id}")
    await message.reply_text(
        t("reset.confirm", lang, samples=samples, labels=labels), reply_markup=keyboard
    )


async def reset_answer(update: Update, context: BotContext) -> None:
    """Carry out or cancel a /reset when its asker taps Yes or No."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = language(update)
    _, asker, answer = query.data.split(":")
    if query.from_user.id != int(asker):
        await query.answer(t("delete.not_yours", lang), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id
    services = context.bot_data
    if answer != "y":
        await query.edit_message_text(t("reset.kept", lang))
        return
    if services.training.is_training(chat_id):
        await query.edit_message_text(t("reset.training", lang))
        return
    cleared = await services.repo.chats.reset(chat_id)
    await services.training.forget_chat(chat_id, cleared.model_prefixes)
    await query.edit_message_text(
        t("reset.done", lang, samples=cleared.samples, labels=cleared.labels, runs=cleared.runs)
    )
