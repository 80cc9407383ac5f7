"""Answer predictions in milliseconds: models stay loaded, concurrent requests batch."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from bot.training.parameters import builtin_answers
from model.serving import Classifier, input_array, sensitivity
from storage import Repository

__all__ = ["NoModelYet", "Prediction", "Predictor", "output_names"]

logger = logging.getLogger(__name__)


class NoModelYet(Exception):
    """The chat has no model of its own and has switched the built-in one off (/set builtin off)."""


@dataclass(frozen=True)
class Prediction:
    """The labels ranked best first with their probabilities, and which model said so."""

    ranked: list[tuple[str, float]]
    source: Literal["chat", "default"]
    outdated: bool
    run_id: int | None = None  # the training whose model answered; None: the built-in one


@dataclass(frozen=True)
class _Serving:
    """The model that answers a chat, with the names of its outputs."""

    batcher: _Batcher
    labels: tuple[str, ...]
    source: Literal["chat", "default"]
    outdated: bool
    prefix: Path  # the files of the model
    run_id: int | None = None

    def prediction(self, probabilities: np.ndarray) -> Prediction:
        order = np.argsort(probabilities)[::-1]
        ranked = [(self.labels[i], float(probabilities[i])) for i in order]
        return Prediction(ranked, self.source, self.outdated, self.run_id)


class _Batcher:
    """Runs the requests that arrive in the same event-loop turn as one batch."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        self._pending: list[tuple[np.ndarray, asyncio.Future[np.ndarray]]] = []
        self._runs: set[asyncio.Task[None]] = set()

    async def predict(self, image: np.ndarray) -> np.ndarray:
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        self._pending.append((image, future))
        if len(self._pending) == 1:
            run = asyncio.create_task(self._run())
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)
        return await future

    async def _run(self) -> None:
        await asyncio.sleep(0)  # let the other requests of this loop turn join the batch
        batch, self._pending = self._pending, []
        images = np.stack([image for image, _ in batch])
        try:
            probabilities = await asyncio.to_thread(self.classifier.predict, images)
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), row in zip(batch, probabilities, strict=True):
            if not future.done():
                future.set_result(row)


class Predictor:
    """Predicts with the chat's own model, or the bundled default until it has one.

    Each model is loaded once and kept in a bounded LRU; loading a model from disk per
    request, as the original app did, costs about 120 ms.
    """

    def __init__(self, repo: Repository, default_prefix: Path, cache_size: int) -> None:
        self._repo = repo
        self._default_prefix = default_prefix
        self._cache_size = cache_size
        self._models: OrderedDict[str, _Batcher] = OrderedDict()
        self._loading: dict[str, asyncio.Future[_Batcher]] = {}
        self._default: _Batcher | None = None
        self._unloadable: set[str] = set()  # warned about once

    async def warm_up(self) -> None:
        """Load the default model now, so the first prediction is fast."""
        if self._default is None:
            classifier = await asyncio.to_thread(Classifier.load, self._default_prefix)
            self._default = _Batcher(classifier)

    def forget(self, prefix: str) -> None:
        """Drop a replaced model from memory."""
        self._models.pop(prefix, None)

    async def predict(self, chat_id: int, model_input: bytes, input_size: int) -> Prediction:
        """Rank the labels for one stored model input."""
        serving = await self._serving(chat_id)
        probabilities = await serving.batcher.predict(input_array(model_input, input_size))
        return serving.prediction(probabilities)

    async def explain(
        self, chat_id: int, model_input: bytes, input_size: int
    ) -> tuple[Prediction, np.ndarray]:
        """Rank the labels and say which pixels decided the best: (prediction, heat map).

        The heat map (model.serving.occlusion) is one batch through the model that answers
        the chat, outside the batcher, which is for single drawings.
        """
        serving = await self._serving(chat_id)
        image = input_array(model_input, input_size)
        classifier = serving.batcher.classifier
        probabilities = (await asyncio.to_thread(classifier.predict, image[np.newaxis]))[0]
        best = int(np.argmax(probabilities))
        heat = await asyncio.to_thread(sensitivity, classifier.predict, image, best)
        return serving.prediction(probabilities), heat

    async def serving_prefix(self, chat_id: int) -> tuple[Path, Literal["chat", "default"]]:
        """Return the files of the model that answers the chat now, and whose model it is.

        Raises:
            NoModelYet: Only the built-in model could answer, and the chat switched it off.
        """
        serving = await self._serving(chat_id)
        return serving.prefix, serving.source

    async def _check_builtin(self, model_chat: int) -> None:
        if not builtin_answers(await self._repo.runs.params(model_chat)):
            raise NoModelYet(model_chat)

    async def _serving(self, chat_id: int) -> _Serving:
        """Return the model that answers the chat: its own (a pupil's class's), or the default.

        Raises:
            NoModelYet: Only the built-in model could answer, and the chat switched it off.
        """
        chat_id = await self._repo.classes.learning_chat(chat_id)
        run = await self._repo.runs.serving(chat_id)
        prefix = None if run is None else run.model_prefix
        chat_batcher = None if prefix is None else await self._chat_batcher(prefix)
        if chat_batcher is not None and run is not None and prefix is not None:
            outdated = run.data_version != await self._repo.samples.data_version(chat_id)
            labels = output_names(run.labels, chat_batcher.classifier.labels, prefix)
            return _Serving(chat_batcher, labels, "chat", outdated, Path(prefix), run.id)
        await self._check_builtin(chat_id)
        await self.warm_up()
        assert self._default is not None
        labels = self._default.classifier.labels
        return _Serving(self._default, labels, "default", False, self._default_prefix)

    async def _chat_batcher(self, prefix: str) -> _Batcher | None:
        """Return a chat model's batcher, or None when its files are gone or unreadable.

        That happens after a restore without the models directory: the chat then gets the
        default model's answers until it trains again, instead of none at all.
        """
        try:
            return await self._batcher(prefix)
        except (OSError, ValueError) as exc:
            if prefix not in self._unloadable:
                self._unloadable.add(prefix)
                logger.warning("model %s cannot be loaded (%s); the default answers", prefix, exc)
            return None

    async def _batcher(self, prefix: str) -> _Batcher:
        """Return the chat model's batcher, loading it (once) on a cache miss."""
        batcher = self._models.get(prefix)
        if batcher is not None:
            self._models.move_to_end(prefix)
            return batcher
        # One load per model even when many chats ask at once.
        loading = self._loading.get(prefix)
        if loading is None:
            loading = asyncio.ensure_future(self._load(prefix))
            self._loading[prefix] = loading
        return await asyncio.shield(loading)

    async def _load(self, prefix: str) -> _Batcher:
        try:
            classifier = await asyncio.to_thread(Classifier.load, Path(prefix))
            batcher = self._models[prefix] = _Batcher(classifier)
            while len(self._models) > self._cache_size:
                evicted, _ = self._models.popitem(last=False)
                logger.debug("model %s evicted from the cache", evicted)
            return batcher
        finally:
            del self._loading[prefix]


def output_names(
    recorded: list[str], exported: tuple[str, ...], prefix: str | None
) -> tuple[str, ...]:
    """Return the names of a chat model's outputs: the database's, which /rename keeps current.

    The model's sidecar holds the names it was trained with; should the two ever disagree in
    number, the sidecar's describe the model itself and win.
    """
    if len(recorded) != len(exported):
        logger.warning("run labels of %s do not fit its model; its sidecar's are used", prefix)
        return exported
    return tuple(recorded)
