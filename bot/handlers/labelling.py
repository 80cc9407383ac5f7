"""/label <name>: label an earlier image."""

from __future__ import annotations

from telegram import Update

from bot.labels.built_in import shown_name, stored_name
from bot.labels.names import InvalidLabel, normalise_label
from bot.refusals import invalid_label_text, refusal_text
from bot.samples.labeller import NotAnImage, NothingToLabel
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.numbers import number

__all__ = ["label"]


async def label(update: Update, context: BotContext) -> None:
    """Label the replied-to image, or the sender's latest unlabelled one."""
    message = update.effective_message
    if message is None:
        return
    lang = language(update)
    services = context.bot_data
    raw = " ".join(context.args or [])
    if not raw:
        await reply(update, t("label.usage", lang))
        return
    try:
        known = await services.repo.labels.ids(message.chat_id)
        name = stored_name(normalise_label(raw), known)
        outcome = await services.labeller.label(context.bot, message, name)
    except InvalidLabel as exc:
        await reply(update, invalid_label_text(exc, lang))
        return
    except NothingToLabel:
        window = number(services.config.limits.label_window_minutes, lang)
        await reply(update, t("label.nothing", lang, window=window, label=shown_name(name, lang)))
        return
    except NotAnImage:
        await reply(update, t("label.not_an_image", lang))
        return
    except Exception as exc:
        text = refusal_text(exc, lang, services.config.limits.max_download_bytes)
        if text is None:
            raise
        await reply(update, text)
        return
    shown = shown_name(name, lang)
    if outcome.previous == name:
        text = t("label.unchanged", lang, label=shown)
    elif outcome.previous is not None:
        old = shown_name(outcome.previous, lang)
        text = t("label.relabelled", lang, old=old, label=shown, count=outcome.count)
    elif len(outcome.samples) > 1:
        text = t("label.done_many", lang, n=len(outcome.samples), label=shown, count=outcome.count)
    else:
        text = t("label.done", lang, label=shown, count=outcome.count)
    await reply(update, text)
