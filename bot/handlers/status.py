"""/labels and /status: what this chat's dataset holds, what it still needs, and its model."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.labels.built_in import shown_name
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.numbers import percent

__all__ = ["labels", "status"]


async def labels(update: Update, context: BotContext) -> None:
    """Show how many samples each label has."""
    lang = language(update)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    repo = context.bot_data.repo
    counts = await repo.labels.counts(chat_id)
    unlabelled = await repo.samples.unlabelled_count(chat_id)
    lines = [t("labels.header", lang)] if counts else [t("labels.empty", lang)]
    lines += [t("labels.line", lang, label=shown_name(c.name, lang), count=c.count) for c in counts]
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
        label = shown_name(c.name, lang)
        if c.count < minimum:
            lines.append(
                t("status.needs", lang, label=label, count=c.count, missing=minimum - c.count)
            )
        else:
            lines.append(t("status.ready", lang, label=label, count=c.count))
    if len(counts) == 1:
        lines.append(t("status.min_labels", lang))
    health = await context.bot_data.data_health.report(chat_id, lang, group=_is_group(update))
    lines += health.lines
    lines += await _model_state(context, chat_id, lang)
    await reply(update, "\n".join(lines), health.keyboard)


def _is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def _model_state(context: BotContext, chat_id: int, lang: str | None) -> list[str]:
    services = context.bot_data
    run = await services.repo.runs.serving(chat_id)
    lines = []
    if run is None or run.metrics is None:
        lines.append(t("status.model_none", lang))
    else:
        accuracy = percent(float(run.metrics.get("validation_accuracy", 0.0)), lang)
        lines.append(t("status.model", lang, samples=len(run.sample_ids), accuracy=accuracy))
        if run.data_version != await services.repo.samples.data_version(chat_id):
            lines.append(t("status.model_outdated", lang))
    if services.training.is_training(chat_id):
        lines.append(t("status.training", lang))
    return lines
