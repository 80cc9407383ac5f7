"""/import: check a zip of images (one folder per label) and add what the chat does not have."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Document, Message, Update

from bot.config import LimitsConfig
from bot.exchange.dataset_zip import ArchiveRejected, ImportLimits, Refusal, read_archive
from bot.samples.accepted_media import ImageRef
from bot.samples.intake import DownloadFailed, FileTooLarge
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from bot.texts.numbers import number
from storage import ImportResult

__all__ = ["IMPORT_CAPTION", "import_archive"]

logger = logging.getLogger(__name__)

# "/import" or "/import@SmileyBot" as a document's caption; PTB's CommandHandler reads only text.
IMPORT_CAPTION = re.compile(r"^/import(?:@(?P<bot>\w+))?(?:\s|$)", re.IGNORECASE)
REFUSALS_SHOWN = 3
_MB = 1_000_000


async def import_archive(update: Update, context: BotContext) -> None:
    """Check a zip (captioned /import, or replied to with /import) and merge its images."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    match = IMPORT_CAPTION.match(message.caption or "")
    addressee = match["bot"] if match else None
    if addressee and addressee.lower() != context.bot.username.lower():
        return  # another bot's /import
    lang = language(update)
    services = context.bot_data
    document = _archive_document(message)
    if document is None:
        await reply(update, t("import.usage", lang))
        return
    # The admin guard reads message texts only; a caption command is checked here.
    refusal = await services.admins.refusal(context.bot, message, "import", lang)
    if refusal is not None:
        await reply(update, refusal)
        return
    limits = services.config.limits
    archive = ImageRef(document.file_id, document.file_unique_id, document.file_size, "document")
    try:
        data = await services.intake.download(context.bot, archive)
    except FileTooLarge:
        mb = number(limits.max_download_bytes / _MB, lang)
        await reply(update, t("intake.too_large", lang, mb=mb))
        return
    except DownloadFailed:
        await reply(update, t("import.download_failed", lang))
        return
    archive_limits = ImportLimits.from_config(limits)
    try:
        checked = await asyncio.to_thread(read_archive, data, archive_limits)
    except ArchiveRejected as exc:
        logger.info("chat %s: import refused (%s)", chat.id, exc.reason)
        await reply(update, _rejected_text(exc, lang, archive_limits))
        return
    result = await services.repo.datasets.import_samples(
        chat.id,
        message.message_id,
        checked.items,
        max_samples=limits.max_samples_per_chat,
        max_labels=limits.max_labels_per_chat,
    )
    await reply(update, _summary(result, checked.refused, lang, limits))


def _archive_document(message: Message) -> Document | None:
    """Return the document captioned /import, or the one a text /import replies to."""
    if message.document is not None:
        return message.document
    replied = message.reply_to_message
    return replied.document if replied is not None else None


def _rejected_text(exc: ArchiveRejected, lang: str | None, limits: ImportLimits) -> str:
    """Explain why a whole archive was refused."""
    return t(
        f"import.{exc.reason}",
        lang,
        count=exc.detail,
        limit=limits.max_entries,
        entry_mb=number(limits.max_entry_bytes / _MB, lang),
        total_mb=number(limits.max_total_bytes / _MB, lang),
        name=shown(exc.detail),
    )


def _summary(
    result: ImportResult, refused: tuple[Refusal, ...], lang: str | None, limits: LimitsConfig
) -> str:
    """Say what was imported per label, what was skipped and what was refused."""
    if result.stored:
        lines = [t("import.done", lang, count=result.stored)]
        lines += [
            t("import.label_line", lang, label=count.name, count=count.count)
            for count in result.imported
        ]
        if result.unlabelled:
            lines.append(t("import.unlabelled_line", lang, count=result.unlabelled))
    else:
        lines = [t("import.nothing_new", lang)]
    if result.already_here:
        lines.append(t("import.already_here", lang, count=result.already_here))
    if result.over_sample_limit:
        count, limit = result.over_sample_limit, limits.max_samples_per_chat
        lines.append(t("import.over_samples", lang, count=count, limit=limit))
    if result.over_label_limit:
        count, limit = result.over_label_limit, limits.max_labels_per_chat
        lines.append(t("import.over_labels", lang, count=count, limit=limit))
    if refused:
        lines.append(t("import.refused", lang, count=len(refused)))
        lines += [
            t(
                "import.refused_line",
                lang,
                path=shown(r.path),
                reason=t(f"import.why.{r.reason}", lang),
            )
            for r in refused[:REFUSALS_SHOWN]
        ]
        if len(refused) > REFUSALS_SHOWN:
            lines.append(t("notices.more", lang, n=len(refused) - REFUSALS_SHOWN))
    if result.imported:
        lines.append(t("import.train_hint", lang))
    return "\n".join(lines)
