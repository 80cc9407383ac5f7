"""Photos, image files and stickers: store each, answer with a prediction or acknowledge it."""

from __future__ import annotations

from telegram import Message, Update

from bot.labels.built_in import stored_name
from bot.labels.names import InvalidLabel, label_argument, normalise_label
from bot.refusals import answer_refusal, invalid_label_text
from bot.samples.accepted_media import find_image, largest_image
from bot.services import BotContext
from bot.telegram.replies import language
from bot.texts import t

__all__ = ["image"]


async def image(update: Update, context: BotContext) -> None:
    """Store the image (labelled when its caption is /label <name>) and acknowledge it."""
    message = update.effective_message
    if message is None:
        return
    services = context.bot_data
    lang = language(update)
    label, label_problem = _caption_label(message, context.bot.username, lang)
    if label is not None:
        label = stored_name(label, await services.repo.labels.ids(message.chat_id))
    try:
        ref = find_image(message)
        if ref is None:
            return
        data = await services.intake.fetch(context.bot, message, ref)
        if ref.kind != "sticker" and await services.worksheets.is_sheet(data):
            # A photo of a filled worksheet: a sample per drawn box, one answer for all.
            text = await services.worksheets.answer(
                context.bot, message, largest_image(message, ref), lang
            )
            await message.reply_text(text, do_quote=True)
            return
        stored = await services.intake.store(message, data, ref, label=label)
    except Exception as exc:  # every failure a user can cause gets an answer
        limit = services.config.limits.max_download_bytes
        answer_refusal(exc, message, services.acknowledger, limit, lang)
        return
    if label_problem is not None:
        services.acknowledger.notify(message, label_problem)
    if not await services.prediction_reply.send(message, stored, lang):
        await services.acknowledger.stored(message, stored.result, lang)


def _caption_label(
    message: Message, bot_username: str, lang: str | None
) -> tuple[str | None, str | None]:
    """Return (label, problem): the caption's valid label, or why it was not used."""
    raw = label_argument(message.caption, bot_username)
    if raw is None:
        return None, None
    if not raw:
        return None, t("label.usage", lang) + "\n" + t("label.kept_unlabelled", lang)
    try:
        return normalise_label(raw), None
    except InvalidLabel as exc:
        return None, invalid_label_text(exc, lang) + "\n" + t("label.kept_unlabelled", lang)
