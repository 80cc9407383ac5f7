"""/start, /help, /labels, /status and replies to stray messages."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType, MessageEntityType

from bot.handlers.common import language, reply, shown
from bot.labels import SUGGESTED_LABELS
from bot.services import BotContext
from bot.texts import t

__all__ = ["help_command", "labels", "start", "status", "text_hint", "unknown_command"]


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and, in groups, explain privacy mode if it hides images."""
    lang = language(update)
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        user = update.effective_user
        await reply(update, t("start.private", lang, name=user.first_name if user else ""))
        return
    text = t("start.group", lang)
    if not context.bot.can_read_all_group_messages:
        text += "\n\n" + t("start.group_privacy", lang)
    await reply(update, text)


async def help_command(update: Update, context: BotContext) -> None:
    """Explain the commands and the labelling flows."""
    limits = context.bot_data.config.limits
    await reply(
        update,
        t(
            "help",
            language(update),
            window=f"{limits.label_window_minutes:g}",
            suggested=", ".join(SUGGESTED_LABELS),
            max_labels=limits.max_labels_per_chat,
            admin_commands=", ".join(
                f"/{name}" for name in sorted(context.bot_data.config.access.admin_commands)
            ),
        ),
    )


async def labels(update: Update, context: BotContext) -> None:
    """Show how many samples each label has."""
    lang = language(update)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    repo = context.bot_data.repo
    counts = await repo.labels.counts(chat_id)
    unlabelled = await repo.samples.unlabelled_count(chat_id)
    lines = [t("labels.header", lang)] if counts else [t("labels.empty", lang)]
    lines += [t("labels.line", lang, label=c.name, count=c.count) for c in counts]
    if unlabelled:
        lines.append(t("labels.unlabelled", lang, count=unlabelled))
    await reply(update, "\n".join(lines))


async def status(update: Update, context: BotContext) -> None:
    """Show the dataset's size, what each label still needs, and the model's state."""
    lang = language(update)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    limits = context.bot_data.config.limits
    repo = context.bot_data.repo
    counts = await repo.labels.counts(chat_id)
    unlabelled = await repo.samples.unlabelled_count(chat_id)
    labelled = sum(c.count for c in counts)
    minimum = limits.min_samples_per_label
    lines = [
        t(
            "status.header",
            lang,
            total=labelled + unlabelled,
            labelled=labelled,
            unlabelled=unlabelled,
        )
    ]
    if counts:
        lines.append(t("status.labels", lang, n=len(counts), max_labels=limits.max_labels_per_chat))
    else:
        lines.append(t("status.no_labels", lang, min=minimum))
    for c in counts:
        if c.count < minimum:
            lines.append(
                t("status.needs", lang, label=c.name, count=c.count, missing=minimum - c.count)
            )
        else:
            lines.append(t("status.ready", lang, label=c.name, count=c.count))
    if len(counts) == 1:
        lines.append(t("status.min_labels", lang))
    lines += await _model_state(context, chat_id, lang)
    await reply(update, "\n".join(lines))


async def _model_state(context: BotContext, chat_id: int, lang: str | None) -> list[str]:
    services = context.bot_data
    run = await services.repo.runs.serving(chat_id)
    lines = []
    if run is None or run.metrics is None:
        lines.append(t("status.model_none", lang))
    else:
        accuracy = f"{100 * float(run.metrics.get('validation_accuracy', 0.0)):.0f}"
        lines.append(t("status.model", lang, samples=len(run.sample_ids), accuracy=accuracy))
        if run.data_version != await services.repo.samples.data_version(chat_id):
            lines.append(t("status.model_outdated", lang))
    if services.trainer.is_training(chat_id):
        lines.append(t("status.training", lang))
    return lines


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
