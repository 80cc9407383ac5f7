"""Build the PTB Application from the config: the one place that wires the bot."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
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

from bot.chats.admins import AdminCheck
from bot.chats.retention import Retention
from bot.classroom.projects import Classrooms
from bot.classroom.tally import Tally
from bot.config import Config
from bot.handlers.canvas import draw, drawing
from bot.handlers.classroom import (
    LEAVE_CALLBACK_PATTERN,
    classroom,
    join_class,
    leave,
    leave_answer,
)
from bot.handlers.confusion import confusion_pair
from bot.handlers.contact_sheet import samples
from bot.handlers.debug import debug
from bot.handlers.errors import on_error
from bot.handlers.exporting import export
from bot.handlers.filters import show_filters
from bot.handlers.guards import guard_access, guard_admin_commands, mark_handled, skip_handled
from bot.handlers.importing import IMPORT_CAPTION, import_archive
from bot.handlers.labelling import label
from bot.handlers.membership import bot_membership, migrate
from bot.handlers.relabel import relabel
from bot.handlers.removal import DELETE_CALLBACK_PATTERN, delete, delete_answer, undo
from bot.handlers.rename import rename
from bot.handlers.reset import RESET_CALLBACK_PATTERN, reset, reset_answer
from bot.handlers.settings import params, set_param
from bot.handlers.stats import stats
from bot.handlers.status import labels, status
from bot.handlers.taps import correction, retrain
from bot.handlers.trainings import compare, stop, train
from bot.handlers.uploads import image
from bot.handlers.welcome import help_command, start, text_hint, unknown_command
from bot.handlers.why import why, why_tap
from bot.handlers.worksheet import worksheet
from bot.labels.corrections import FIX_CALLBACK_PATTERN, RETRAIN_CALLBACK_PATTERN, Corrections
from bot.samples.acknowledgements import Acknowledger
from bot.samples.answers import PredictionReply
from bot.samples.explanations import WHY_CALLBACK_PATTERN, Explanations
from bot.samples.intake import Intake
from bot.samples.labeller import Labeller
from bot.samples.layer_views import LayerViews
from bot.samples.notices import Notices
from bot.samples.predictor import Predictor
from bot.samples.preprocessor import Preprocessor
from bot.samples.repreparer import Repreparer
from bot.samples.worksheets import Worksheets
from bot.services import BotContext, BotServices
from bot.telegram.chat_activity import ChatActivity
from bot.telegram.rate_limiter import ChatRateLimiter
from bot.telegram.update_order import PerChatUpdateProcessor
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, t
from bot.training.confusion_pairs import PAIR_CALLBACK_PATTERN
from bot.training.data_health import RELABEL_CALLBACK_PATTERN, DataHealth
from bot.training.queue import TrainingQueue
from model.job import DEFAULT_MODEL_PREFIX
from storage import Repository

__all__ = ["ADMIN_COMMANDS", "COMMANDS", "Command", "admin_commands", "build_application"]

logger = logging.getLogger(__name__)

BotApplication = Application[Any, Any, Any, Any, BotServices, Any]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    """A command of the menu: its name, its handler, and whether only group admins may run it."""

    name: str
    callback: Callback
    admin: bool = False  # deletes data or takes the shared trainer: admins only, in groups


# In the order of Telegram's command menu (its descriptions are the texts' cmd.<name>).
COMMANDS: tuple[Command, ...] = (
    Command("start", start),
    Command("help", help_command),
    Command("label", label),
    Command("labels", labels),
    Command("stats", stats),
    Command("status", status),
    Command("train", train, admin=True),
    Command("stop", stop, admin=True),
    Command("set", set_param, admin=True),
    Command("params", params),
    Command("debug", debug),
    Command("why", why),
    Command("filters", show_filters),
    Command("samples", samples),
    Command("compare", compare, admin=True),
    Command("draw", draw),
    Command("undo", undo),
    Command("delete", delete, admin=True),
    Command("rename", rename, admin=True),
    Command("reset", reset, admin=True),
    Command("export", export),
    Command("import", import_archive, admin=True),
    Command("worksheet", worksheet),
    Command("classroom", classroom, admin=True),
    Command("leave", leave),
)
ADMIN_COMMANDS = frozenset(command.name for command in COMMANDS if command.admin)

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
    activity = ChatActivity()  # shared: a chat's notices wait for the answers it is owed
    application: BotApplication = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.base_file_url)
        .read_timeout(READ_TIMEOUT)
        .write_timeout(WRITE_TIMEOUT)
        .context_types(ContextTypes(bot_data=BotServices))
        .rate_limiter(ChatRateLimiter(activity=activity))
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES, activity))
        .post_init(_open)
        .post_stop(_stop)
        .post_shutdown(_close)
        .build()
    )
    services = application.bot_data
    services.config = config
    services.repo = Repository(config.storage.database)
    services.preprocessor = Preprocessor(
        max_pixels=config.limits.max_image_pixels, workers=config.prediction.preprocess_workers
    )
    services.repreparer = Repreparer(services.repo, services.preprocessor)
    services.intake = Intake(services.repo, config.limits, services.preprocessor)
    services.labeller = Labeller(services.repo, services.intake, config.limits)
    services.corrections = Corrections(services.repo, config.limits, config.corrections)
    services.notices = Notices(application.bot)
    services.acknowledger = Acknowledger(services.notices)
    services.predictor = Predictor(
        services.repo, DEFAULT_MODEL_PREFIX, config.prediction.cache_size
    )
    services.explanations = Explanations(services.repo, services.predictor)
    services.classrooms = Classrooms(services.repo)
    services.worksheets = Worksheets(services.repo, services.intake, config.limits.max_image_pixels)
    services.class_tally = Tally(
        application.bot, services.repo, config.limits.min_samples_per_label
    )
    services.layer_views = LayerViews(services.repo, services.predictor, DEFAULT_MODEL_PREFIX)
    services.data_health = DataHealth(services.repo, config.limits.min_samples_per_label)
    services.prediction_reply = PredictionReply(
        services.predictor, services.corrections, config.prediction.low_confidence
    )
    services.training = TrainingQueue(
        application.bot, services.repo, services.predictor, services.repreparer, config
    )
    services.admins = AdminCheck(admin_commands(config))
    services.retention = Retention(
        services.repo, services.training, config.storage.delete_after_removal_days
    )
    _register_handlers(application)
    return application


def admin_commands(config: Config) -> frozenset[str]:
    """Return the commands only group admins may run: as configured, else those marked so."""
    configured = config.access.admin_commands
    return ADMIN_COMMANDS if configured is None else configured


def _register_handlers(application: BotApplication) -> None:
    # Each guard runs in a group of its own, before the handlers; each can stop an update.
    application.add_handler(TypeHandler(Update, skip_handled), group=-3)
    application.add_handler(TypeHandler(Update, guard_access), group=-2)
    application.add_handler(TypeHandler(Update, guard_admin_commands), group=-1)
    application.add_handler(TypeHandler(Update, mark_handled), group=1)
    # /start with a class's code (from its join link) joins the class; plain /start greets.
    application.add_handler(CommandHandler("start", join_class, filters=NEW, has_args=True))
    application.add_handlers(
        [CommandHandler(command.name, command.callback, filters=NEW) for command in COMMANDS]
    )
    application.add_handlers(
        [
            CallbackQueryHandler(delete_answer, pattern=DELETE_CALLBACK_PATTERN),
            CallbackQueryHandler(reset_answer, pattern=RESET_CALLBACK_PATTERN),
            CallbackQueryHandler(correction, pattern=FIX_CALLBACK_PATTERN),
            CallbackQueryHandler(retrain, pattern=RETRAIN_CALLBACK_PATTERN),
            CallbackQueryHandler(why_tap, pattern=WHY_CALLBACK_PATTERN),
            CallbackQueryHandler(confusion_pair, pattern=PAIR_CALLBACK_PATTERN),
            CallbackQueryHandler(relabel, pattern=RELABEL_CALLBACK_PATTERN),
            CallbackQueryHandler(leave_answer, pattern=LEAVE_CALLBACK_PATTERN),
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
    # In the background: inputs an older preprocessing made are made again from their sources.
    services.repreparer.start()
    try:
        await services.predictor.warm_up()
    except Exception:
        # Chats can still collect and train; only default predictions are missing.
        logger.exception("the default model could not be loaded")
    services.training.start()
    services.retention.start()
    services.class_tally.start()
    # The default menu is English; Telegram shows a user the one for their language_code.
    for lang in LANGUAGES:
        await application.bot.set_my_commands(
            [BotCommand(c.name, t(f"cmd.{c.name}", lang)) for c in COMMANDS],
            language_code=None if lang == DEFAULT_LANGUAGE else lang,
        )
    logger.info("bot @%s is ready", application.bot.username)


async def _stop(application: BotApplication) -> None:
    # Before PTB shuts the Bot's HTTP client down: pending notices can still be sent.
    await application.bot_data.notices.close()


async def _close(application: BotApplication) -> None:
    services = application.bot_data
    await services.class_tally.close()
    await services.retention.close()
    await services.training.close()
    await services.repreparer.close()
    await services.preprocessor.close()
    await services.repo.close()
