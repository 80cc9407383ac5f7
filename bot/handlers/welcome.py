"""/start and /help, and replies to unknown commands and stray text."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType, MessageEntityType

from bot.labels.built_in import shown_names
from bot.labels.names import SUGGESTED_LABELS
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from bot.texts.numbers import number

__all__ = ["help_command", "start", "text_hint", "unknown_command"]


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and, in groups, explain privacy mode if it hides images."""
    lang = language(update)
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        user = update.effective_user
        minimum = context.bot_data.config.limits.min_samples_per_label
        name = user.first_name if user else ""
        await reply(update, t("start.private", lang, name=name, minimum=minimum))
        return
    text = t("start.group", lang)
    if not context.bot.can_read_all_group_messages:
        text += "\n\n" + t("start.group_privacy", lang)
    await reply(update, text)


# "/help more" shows the whole list; a German speaker may well type "mehr".
MORE = frozenset({"more", "mehr", "all", "alles"})


async def help_command(update: Update, context: BotContext) -> None:
    """Explain the first steps; with "more", every command and the labelling flows."""
    limits = context.bot_data.config.limits
    lang = language(update)
    if not {argument.lower() for argument in context.args or ()} & MORE:
        await reply(update, t("help", lang, minimum=limits.min_samples_per_label))
        return
    await reply(
        update,
        t(
            "help.more",
            lang,
            window=number(limits.label_window_minutes, lang),
            suggested=", ".join(shown_names(SUGGESTED_LABELS, lang)),
            max_labels=limits.max_labels_per_chat,
            admin_commands=", ".join(
                f"/{name}" for name in sorted(context.bot_data.admins.admin_commands)
            ),
        ),
    )


async def unknown_command(update: Update, context: BotContext) -> None:
    """Point to /help when a command addressed to us is unknown."""
    message = update.effective_message
    if message is None or not message.text or not message.entities:
        return
    entity = message.entities[0]
    if entity.type != MessageEntityType.BOT_COMMAND or entity.offset != 0:
        return
    # Telegram's entity says where the command ends, so "/foo\u200b@Bot" is "/foo".
    command, _, addressee = message.text[: entity.length].partition("@")
    private = message.chat.type == ChatType.PRIVATE
    # In a group, "/foo" may be meant for another bot; answer only when addressed to us.
    if addressee.lower() == context.bot.username.lower() or (private and not addressee):
        await reply(update, t("unknown_command", language(update), command=shown(command)))


async def text_hint(update: Update, context: BotContext) -> None:
    """Tell a private chat what to send when it sends plain text."""
    await reply(update, t("text_hint", language(update)))
