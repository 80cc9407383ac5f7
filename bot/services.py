"""The typed home of the services every handler uses."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import CallbackContext, ExtBot

from bot.acks import Acknowledger
from bot.admins import AdminCheck
from bot.config import Config
from bot.corrections import Corrections
from bot.intake import Intake
from bot.labelling import Labeller
from bot.notices import Notices
from bot.predictor import Predictor
from bot.preprocessing import Preprocessor
from bot.retention import Retention
from bot.trainer import Trainer
from storage import Repository

__all__ = ["BotContext", "BotServices"]


class BotServices:
    """Shared services, reached as ``context.bot_data``.

    PTB creates this object empty (``ContextTypes(bot_data=BotServices)``);
    ``build_application`` fills it in before any handler runs.
    """

    config: Config
    repo: Repository
    preprocessor: Preprocessor
    intake: Intake
    labeller: Labeller
    corrections: Corrections
    notices: Notices
    acks: Acknowledger
    predictor: Predictor
    trainer: Trainer
    admins: AdminCheck
    retention: Retention


BotContext: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotServices]
