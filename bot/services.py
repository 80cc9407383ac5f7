"""The typed home of the services every handler uses."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import CallbackContext, ExtBot

from bot.chats.admins import AdminCheck
from bot.chats.retention import Retention
from bot.classroom.projects import Classrooms
from bot.classroom.tally import Tally
from bot.config import Config
from bot.labels.corrections import Corrections
from bot.samples.acknowledgements import Acknowledger
from bot.samples.answers import PredictionReply
from bot.samples.explanations import Explanations
from bot.samples.intake import Intake
from bot.samples.labeller import Labeller
from bot.samples.layer_views import LayerViews
from bot.samples.notices import Notices
from bot.samples.predictor import Predictor
from bot.samples.preprocessor import Preprocessor
from bot.samples.repreparer import Repreparer
from bot.samples.worksheets import Worksheets
from bot.training.data_health import DataHealth
from bot.training.queue import TrainingQueue
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
    repreparer: Repreparer
    intake: Intake
    labeller: Labeller
    corrections: Corrections
    notices: Notices
    acknowledger: Acknowledger
    predictor: Predictor
    prediction_reply: PredictionReply
    explanations: Explanations
    classrooms: Classrooms
    worksheets: Worksheets
    class_tally: Tally
    layer_views: LayerViews
    data_health: DataHealth
    training: TrainingQueue
    admins: AdminCheck
    retention: Retention


BotContext: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotServices]
