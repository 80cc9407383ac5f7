"""Turn an image message into a stored sample: download, preprocess, store."""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError

from bot.config import LimitsConfig
from bot.samples.accepted_media import ImageRef, SourceKind
from bot.samples.preprocessor import Preprocessor
from bot.telegram.retries import retried
from model.serving import PreparedSample
from storage import AddResult, NewSample, Repository

__all__ = ["DownloadFailed", "FileTooLarge", "Intake", "Stored", "UploadThrottled"]

logger = logging.getLogger(__name__)

_MINUTE = 60.0


class FileTooLarge(Exception):
    """The file is bigger than the configured download limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class DownloadFailed(Exception):
    """Telegram did not hand us the file; the user should send it again."""


class UploadThrottled(Exception):
    """The user sent more images this minute than allowed."""

    def __init__(self, limit: int, retry_in: float) -> None:
        super().__init__(limit, retry_in)
        self.limit = limit
        self.retry_in = retry_in


@dataclass(frozen=True)
class Stored:
    """What storing an image did, and the model input it produced."""

    result: AddResult
    prepared: PreparedSample


class UploadThrottle:
    """A sliding one-minute window of uploads per user."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._recent: defaultdict[int, deque[float]] = defaultdict(deque)

    def admit(self, user_id: int, now: float) -> None:
        """Count one upload for ``user_id`` or raise ``UploadThrottled``."""
        recent = self._recent[user_id]
        while recent and recent[0] <= now - _MINUTE:
            recent.popleft()
        if len(recent) >= self._per_minute:
            raise UploadThrottled(self._per_minute, recent[0] + _MINUTE - now)
        recent.append(now)


class Intake:
    """Stores the images users send, within the configured limits."""

    def __init__(self, repo: Repository, limits: LimitsConfig, preprocessor: Preprocessor) -> None:
        self._repo = repo
        self._limits = limits
        self._preprocessor = preprocessor
        self._throttle = UploadThrottle(limits.uploads_per_user_per_minute)

    async def ingest(
        self, bot: Bot, message: Message, image: ImageRef, *, label: str | None
    ) -> Stored:
        """Download, preprocess and store ``image`` of ``message``, labelled or not.

        Raises:
            UploadThrottled, FileTooLarge, DownloadFailed: before anything is stored.
            model.ImageRejected: the file is not a usable image.
            storage.ChatFull, storage.TooManyLabels: the chat is at a limit.
        """
        return await self.store(message, await self.fetch(bot, message, image), image, label=label)

    async def fetch(self, bot: Bot, message: Message, image: ImageRef) -> bytes:
        """Admit the upload (the sender's per-minute limit) and download it.

        Raises:
            UploadThrottled, FileTooLarge, DownloadFailed: with nothing stored.
        """
        self._admit(message)
        return await self.download(bot, image)

    async def store(
        self, message: Message, data: bytes, image: ImageRef, *, label: str | None
    ) -> Stored:
        """Preprocess and store the fetched ``data`` of ``image``.

        Raises:
            model.ImageRejected, storage.ChatFull, storage.TooManyLabels: as ``ingest``.
        """
        return await self._store(message, data, image.file_unique_id, image.kind, label)

    async def ingest_bytes(
        self,
        message: Message,
        data: bytes,
        *,
        unique_id: str,
        kind: SourceKind = "document",
        label: str | None,
    ) -> Stored:
        """Preprocess and store image ``data`` that came with ``message`` but not as a file.

        ``unique_id`` stands in for Telegram's ``file_unique_id``: the same content must get
        the same id, so that sending it twice is a duplicate (e.g. a drawing's hash).

        Raises:
            UploadThrottled: before anything is stored.
            model.ImageRejected, storage.ChatFull, storage.TooManyLabels: as ``ingest``.
        """
        self._admit(message)
        return await self._store(message, data, unique_id, kind, label)

    async def ingest_box(
        self, message: Message, data: bytes, *, unique_id: str, label: str | None
    ) -> Stored:
        """Store one box cut from a worksheet photo that was admitted as one upload.

        Raises:
            model.ImageRejected, storage.ChatFull, storage.TooManyLabels: as ``ingest``.
        """
        return await self._store(message, data, unique_id, "photo", label)

    def _admit(self, message: Message) -> None:
        if message.from_user is not None:
            self._throttle.admit(message.from_user.id, time.monotonic())

    async def _store(
        self, message: Message, data: bytes, unique_id: str, kind: SourceKind, label: str | None
    ) -> Stored:
        prepared = await self._preprocessor.prepare(data)
        sample = NewSample(
            chat_id=message.chat_id,
            message_id=message.message_id,
            user_id=message.from_user.id if message.from_user else None,
            file_unique_id=unique_id,
            media_group_id=message.media_group_id,
            source_kind=kind,
            model_input=prepared.model_input,
            input_size=prepared.input_size,
            preprocess_version=prepared.preprocess_version,
            source_png=prepared.source_png,
            label=label,
            photographed=prepared.photographed,
        )
        result = await self._repo.samples.add(
            sample,
            max_samples=self._limits.max_samples_per_chat,
            max_labels=self._limits.max_labels_per_chat,
        )
        return Stored(result, prepared)

    async def download(self, bot: Bot, image: ImageRef) -> bytes:
        """Fetch a file of at most ``max_download_bytes``.

        Raises:
            FileTooLarge, DownloadFailed: with nothing downloaded.
        """
        limit = self._limits.max_download_bytes
        if image.file_size is not None and image.file_size > limit:
            raise FileTooLarge(limit)
        try:
            file = await bot.get_file(image.file_id)
            if file.file_size is not None and file.file_size > limit:
                raise FileTooLarge(limit)
            # getFile is retried by the rate limiter; the download itself is not a Bot API call.
            data = bytes(
                await retried(file.download_as_bytearray, f"download of {image.file_unique_id}")
            )
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise FileTooLarge(limit) from exc
            raise DownloadFailed(exc.message) from exc
        except TelegramError as exc:
            logger.warning("download of %s failed: %s", image.file_unique_id, exc)
            raise DownloadFailed(str(exc)) from exc
        if len(data) > limit:
            raise FileTooLarge(limit)
        return data
