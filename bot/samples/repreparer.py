"""Make stale model inputs again from their source PNGs after the preprocessing changed.

Every sample keeps the small grey copy of what was drawn (its source PNG) beside the model
input made from it, and the version of the preprocessing that made that input. When
``PREPROCESS_VERSION`` changes, the inputs made before are stale: a training would learn from
inputs made one way while its predictions see inputs made another. So after start-up a sweep
re-prepares them, every chat's, in small batches in the preprocessor's low-priority helper,
pausing between batches; and before a chat's training is built, that chat's remaining stale
samples are re-prepared at once (the same ``reprepare``), so that no training mixes versions.
The sweep also prepares again the samples stored before the bot noted whether each is a
photo or drawn on a screen (``photographed``, for `bot.training.data_health`): the same
preprocessing gives the same input, so only the note is stored. A training does not wait
for these.

A source today's preprocessing refuses (too faint by a stricter rule, say) keeps its sample
and its older input, for nothing acknowledged is ever thrown away. It is recorded as refused
by this version and logged once, so this version does not try it again, and trainings leave
it out (`bot.training.dataset`); a later version tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.samples.preprocessor import Preprocessor
from model.serving import PREPROCESS_VERSION, ImageRejected
from storage import RefusedSource, Repository, RepreparedInput, StaleInput

__all__ = ["BATCH_SIZE", "Repreparer"]

logger = logging.getLogger(__name__)

# Small, so that storing a batch holds the database for a moment only.
BATCH_SIZE = 16
# Between the sweep's batches the update handling has the event loop and the database.
BATCH_PAUSE_SECONDS = 0.1


class Repreparer:
    """Re-prepares stale samples: every chat's once after start-up, a chat's before it trains."""

    def __init__(self, repo: Repository, preprocessor: Preprocessor) -> None:
        self._repo = repo
        self._preprocessor = preprocessor
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the sweep over every chat in the background."""
        self._task = asyncio.create_task(self._sweep(), name="reprepare-samples")

    async def close(self) -> None:
        """Stop the sweep; what it stored stays, and the next start does the rest."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def reprepare(
        self,
        chat_id: int | None = None,
        *,
        background: bool = False,
        photographed_unknown: bool = False,
    ) -> int:
        """Re-prepare the stale samples of a chat (None: of every chat); return how many.

        With ``background`` the work runs in the preprocessor's low-priority helper and
        pauses between batches; without, it runs as an upload does, for someone waiting.
        With ``photographed_unknown`` also the samples stored before the bot noted whether
        they are photos: preparing them again notes it (their inputs stay as they are).
        """
        stored = 0
        after = 0
        # Paging by id, not "the first stale ones", ends even if a sample stays stale.
        while batch := await self._repo.samples.stale_inputs(
            PREPROCESS_VERSION,
            limit=BATCH_SIZE,
            after_id=after,
            chat_id=chat_id,
            photographed_unknown=photographed_unknown,
        ):
            stored += await self._reprepare_batch(batch, background)
            after = batch[-1].sample_id
            if background:
                await asyncio.sleep(BATCH_PAUSE_SECONDS)
        return stored

    async def _reprepare_batch(self, batch: list[StaleInput], background: bool) -> int:
        made: list[RepreparedInput] = []
        refused: list[RefusedSource] = []
        for stale in batch:
            try:
                prepared = await self._preprocessor.prepare(stale.source_png, background=background)
            except ImageRejected as exc:
                logger.info(
                    "chat %s: sample %s keeps its input of preprocessing version %d:"
                    " version %d refuses its source (%s)",
                    stale.chat_id,
                    stale.sample_id,
                    stale.preprocess_version,
                    PREPROCESS_VERSION,
                    exc.reason.value,
                )
                refused.append(
                    RefusedSource(
                        stale.chat_id, stale.sample_id, PREPROCESS_VERSION, exc.reason.value
                    )
                )
                continue
            except Exception:
                # Only this sample waits for the next sweep; the rest go on.
                logger.exception(
                    "chat %s: re-preparing sample %s failed", stale.chat_id, stale.sample_id
                )
                continue
            made.append(
                RepreparedInput(
                    chat_id=stale.chat_id,
                    sample_id=stale.sample_id,
                    model_input=prepared.model_input,
                    input_size=prepared.input_size,
                    preprocess_version=prepared.preprocess_version,
                    photographed=prepared.photographed,
                )
            )
        stored = await self._repo.samples.replace_inputs(made) if made else 0
        if refused:
            await self._repo.samples.record_refusals(refused)
        return stored

    async def _sweep(self) -> None:
        try:
            stored = await self.reprepare(background=True, photographed_unknown=True)
        except Exception:
            # Each chat's /train still re-prepares its own, and the next start sweeps again.
            logger.exception("re-preparing the stale samples failed")
        else:
            if stored:
                logger.info(
                    "re-prepared %d samples with preprocessing version %d",
                    stored,
                    PREPROCESS_VERSION,
                )
        await self._preprocessor.stop_background()
