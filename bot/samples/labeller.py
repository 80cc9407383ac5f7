"""The /label command's three flows: caption, reply, and "right after the image"."""

from __future__ import annotations

import time
from dataclasses import dataclass

from telegram import Bot, Message

from bot.config import LimitsConfig
from bot.samples.accepted_media import find_image
from bot.samples.intake import Intake
from storage import Repository, Sample

__all__ = ["LabelOutcome", "Labeller", "NotAnImage", "NothingToLabel"]


class NothingToLabel(Exception):
    """No reply target and no recent unlabelled image of this user."""


class NotAnImage(Exception):
    """The replied-to message holds no image."""


@dataclass(frozen=True)
class LabelOutcome:
    """What /label changed: the samples, their previous label and the label's new count."""

    samples: list[Sample]
    previous: str | None
    count: int


class Labeller:
    """Finds the image a /label command means and labels it."""

    def __init__(self, repo: Repository, intake: Intake, limits: LimitsConfig) -> None:
        self._repo = repo
        self._intake = intake
        self._limits = limits

    async def label(self, bot: Bot, command: Message, label: str) -> LabelOutcome:
        """Label the image ``command`` refers to.

        Raises:
            NotAnImage, NothingToLabel: nothing to label.
            storage.TooManyLabels: the label is new and the chat is at its limit.
            Whatever ``Intake.ingest`` raises, when a replied-to image was never stored.
        """
        user_id = command.from_user.id if command.from_user else None
        target = command.reply_to_message
        if target is not None:
            samples, previous = await self._label_reply(bot, command, target, label, user_id)
        else:
            samples, previous = await self._label_latest(command, label, user_id)
        return LabelOutcome(samples, previous, await self._count(command.chat_id, label))

    async def _label_reply(
        self, bot: Bot, command: Message, target: Message, label: str, user_id: int | None
    ) -> tuple[list[Sample], str | None]:
        stored = await self._repo.samples.for_message(command.chat_id, target.message_id)
        if stored is not None:
            return [await self._set_label(stored, label, user_id)], stored.label
        # An image we never saw (privacy mode, or sent before the bot joined): store it now.
        image = find_image(target)
        if image is None:
            raise NotAnImage
        ingested = await self._intake.ingest(bot, target, image, label=label)
        return [ingested.result.sample], None

    async def _label_latest(
        self, command: Message, label: str, user_id: int | None
    ) -> tuple[list[Sample], str | None]:
        if user_id is None:
            raise NothingToLabel
        since = time.time() - self._limits.label_window_minutes * 60
        latest = await self._repo.samples.latest_unlabelled(command.chat_id, user_id, since=since)
        if latest is None:
            raise NothingToLabel
        if latest.media_group_id is not None:
            # "/label smile" after an album means the whole album.
            samples = await self._repo.labels.assign_album(
                command.chat_id,
                latest.media_group_id,
                label,
                labelled_by=user_id,
                max_labels=self._limits.max_labels_per_chat,
            )
            return samples, None
        return [await self._set_label(latest, label, user_id)], None

    async def _set_label(self, sample: Sample, label: str, user_id: int | None) -> Sample:
        return await self._repo.labels.assign(
            sample.chat_id,
            sample.id,
            label,
            labelled_by=user_id,
            max_labels=self._limits.max_labels_per_chat,
        )

    async def _count(self, chat_id: int, label: str) -> int:
        counts = await self._repo.labels.counts(chat_id)
        return next((c.count for c in counts if c.name == label), 0)
