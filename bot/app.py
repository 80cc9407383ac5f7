"""Build the PTB Application from the config: the one place that wires the bot."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.acks import Acknowledger
from bot.admins import AdminCheck
from bot.config import Config
from bot.corrections import FIX_CALLBACK_PATTERN, RETRAIN_CALLBACK_PATTERN, Corrections
from bot.errors import on_error
from bot.handlers.chats import bot_membership, guard_access, guard_admin_commands, migrate
from bot.handlers.corrections import correction, retrain
from bot.handlers.draw import draw, drawing
from bot.handlers.images import image
from bot.handlers.info import help_command, labels, start, status, text_hint, unknown_command
from bot.handlers.labelling import label
from bot.handlers.once import mark_handled, skip_handled
from bot.handlers.portable import IMPORT_CAPTION, export, import_archive
from bot.handlers.removal import DELETE_CALLBACK_PATTERN, delete, delete_answer, undo
from bot.handlers.reset import RESET_CALLBACK_PATTERN, reset, reset_answer
from bot.handlers.samples import samples
from bot.handlers.stats import stats
from bot.handlers.training import compare, debug, params, set_param, stop, train
from bot.intake import Intake
from bot.labelling import Labeller
from bot.notices import Notices
from bot.predictor import Predictor
from bot.preprocessing import Preprocessor
from bot.ratelimit import ChatRateLimiter
from bot.retention import Retention
from bot.services import BotServices
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, t
from bot.trainer import Trainer
from bot.updates import PerChatUpdateProcessor
from model.job import DEFAULT_MODEL_PREFIX
from storage import Repository

__all__ = ["COMMANDS", "build_application"]

logger = logging.getLogger(__name__)

BotApplication = Application[Any, Any, Any, Any, BotServices, Any]

COMMANDS = (
    "start",
    "help",
    "label",
    "labels",
    "stats",
    "status",
    "train",
    "stop",
    "set",
    "params",
    "debug",
    "samples",
    "compare",
    "draw",
    "undo",
    "delete",
    "reset",
    "export",
    "import",
)
MAX_CONCURRENT_UPDATES = 32
# Generous enough for a 20 MB download on a slow link.
READ_TIMEOUT = 30.0
WRITE_TIMEOUT = 30.0

# Only new messages: edits and channel posts are ignored on purpose.
NEW = filters.UpdateType.MESSAGE
MEDIA = (
    filters.PHOTO
    | filters.Document.ALL
    | filters.Sticker.ALL
    | filters.ANIMATION
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.VOICE
    | filters.AUDIO
)


def build_application(config: Config) -> BotApplication:
    """Return a ready-to-run Application for ``config``."""
    application: BotApplication = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.base_file_url)
        .read_timeout(READ_TIMEOUT)
        .write_timeout(WRITE_TIMEOUT)
        .context_types(ContextTypes(bot_data=BotServices))
        .rate_limiter(ChatRateLimiter())
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .post_init(_open)
        .post_stop(_stop)
        .post_shutdown(_close)
        .build()
    )
    services = application.bot_data
    services.config = config
    services.repo = Repository(config.storage.database)
    services.preprocessor = Preprocessor(max_pixels=config.limits.max_image_pixels)
    services.intake = Intake(services.repo, config.limits, services.preprocessor)
    services.labeller = Labeller(services.repo, services.intake, config.limits)
    services.corrections = Corrections(services.repo, config.limits, config.corrections)
    services.notices = Notices(application.bot)
    services.acks = Acknowledger(services.notices)
    services.predictor = Predictor(
        services.repo, DEFAULT_MODEL_PREFIX, config.prediction.cache_size
    )
    services.trainer = Trainer(application.bot, services.repo, services.predictor, config)
    services.admins = AdminCheck()
    services.retention = Retention(
        services.repo, services.trainer, config.storage.delete_after_removal_days
    )
    _register_handlers(application)
    return application


def _register_handlers(application: BotApplication) -> None:
    # Each guard runs in a group of its own, before the handlers; each can stop an update.
    application.add_handler(TypeHandler(Update, skip_handled), group=-3)
    application.add_handler(TypeHandler(Update, guard_access), group=-2)
    application.add_handler(TypeHandler(Update, guard_admin_commands), group=-1)
    application.add_handler(TypeHandler(Update, mark_handled), group=1)
    application.add_handlers(
        [
            CommandHandler("start", start, filters=NEW),
            CommandHandler("help", help_command, filters=NEW),
            CommandHandler("label", label, filters=NEW),
            CommandHandler("labels", labels, filters=NEW),
            CommandHandler("stats", stats, filters=NEW),
            CommandHandler("status", status, filters=NEW),
            CommandHandler("undo", undo, filters=NEW),
            CommandHandler("delete", delete, filters=NEW),
            CommandHandler("reset", reset, filters=NEW),
            CommandHandler("export", export, filters=NEW),
            CommandHandler("import", import_archive, filters=NEW),
            CommandHandler("train", train, filters=NEW),
            CommandHandler("stop", stop, filters=NEW),
            CommandHandler("set", set_param, filters=NEW),
            CommandHandler("params", params, filters=NEW),
            CommandHandler("debug", debug, filters=NEW),
            CommandHandler("samples", samples, filters=NEW),
            CommandHandler("compare", compare, filters=NEW),
            CommandHandler("draw", draw, filters=NEW),
            CallbackQueryHandler(delete_answer, pattern=DELETE_CALLBACK_PATTERN),
            CallbackQueryHandler(reset_answer, pattern=RESET_CALLBACK_PATTERN),
            CallbackQueryHandler(correction, pattern=FIX_CALLBACK_PATTERN),
            CallbackQueryHandler(retrain, pattern=RETRAIN_CALLBACK_PATTERN),
            # Before the image handler, which would refuse the zip as an unsupported file.
            MessageHandler(
                NEW & filters.Document.ALL & filters.CaptionRegex(IMPORT_CAPTION), import_archive
            ),
            MessageHandler(NEW & MEDIA, image),
            MessageHandler(NEW & filters.StatusUpdate.WEB_APP_DATA, drawing),
            MessageHandler(filters.StatusUpdate.MIGRATE, migrate),
            ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(NEW & filters.COMMAND, unknown_command),
            MessageHandler(NEW & filters.ChatType.PRIVATE & filters.TEXT, text_hint),
        ]
    )
    application.add_error_handler(on_error)


async def _open(application: BotApplication) -> None:
    services = application.bot_data
    services.config.storage.database.parent.mkdir(parents=True, exist_ok=True)
    services.config.storage.models_dir.mkdir(parents=True, exist_ok=True)
    await services.repo.open()
    try:
        await services.predictor.warm_up()
    except Exception:
        # Chats can still collect and train; only default predictions are missing.
        logger.exception("the default model could not be loaded")
    services.trainer.start_recovery()
    services.retention.start()
    # The default menu is English; Telegram shows a user the one for their language_code.
    for lang in LANGUAGES:
        await application.bot.set_my_commands(
            [BotCommand(name, t(f"cmd.{name}", lang)) for name in COMMANDS],
            language_code=None if lang == DEFAULT_LANGUAGE else lang,
        )
    logger.info("bot @%s is ready", application.bot.username)


async def _stop(application: BotApplication) -> None:
    # Before PTB shuts the Bot's HTTP client down: pending notices can still be sent.
    await application.bot_data.notices.close()


async def _close(application: BotApplication) -> None:
    services = application.bot_data
    await services.retention.close()
    await services.trainer.close()
    await services.preprocessor.close()
    await services.repo.close()
