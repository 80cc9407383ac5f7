"""/filters: what the network that answers a chat learned, and what it makes of one drawing.

One picture (model.serving.layer_pictures): the first layer's filters, beside the built-in
model's when the chat's model started from them, so "it learned its own" can be seen; and
one drawing through the layers. Everything comes from the files the exporter wrote beside
each model (model.serving.hidden_layers): LiteRT, no TensorFlow.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.samples.predictor import NoModelYet, Predictor
from bot.texts import t
from bot.texts.numbers import percent
from model.serving import input_array
from model.serving.hidden_layers import HiddenLayers, NoHiddenLayers
from model.serving.layer_pictures import MAPS_SHOWN, FilterTexts, filters_picture
from storage import Repository

__all__ = ["LayerView", "LayerViews", "filter_change", "picture_texts"]

_CACHE_SIZE = 8  # the layers of a few models; each is a few hundred KB


@dataclass(frozen=True)
class LayerView:
    """The /filters picture and its caption; png None when only the caption can be said."""

    png: bytes | None
    caption: str


class LayerViews:
    """Makes the /filters picture for a chat, from the model that answers it now."""

    def __init__(self, repo: Repository, predictor: Predictor, default_prefix: Path) -> None:
        self._repo = repo
        self._predictor = predictor
        self._default_prefix = default_prefix
        self._loaded: OrderedDict[Path, HiddenLayers] = OrderedDict()

    async def view(self, chat_id: int, sample_id: int | None, lang: str | None) -> LayerView:
        """Return the picture for the chat, with ``sample_id``'s drawing or its newest one."""
        try:
            prefix, source = await self._predictor.serving_prefix(chat_id)
        except NoModelYet:
            return LayerView(None, t("filters.no_model_yet", lang))
        try:
            layers = await self._layers(prefix)
        except NoHiddenLayers:
            return LayerView(None, t("filters.outdated", lang))
        reference = None
        if source == "chat" and layers.start == "pretrained":
            bundled = await self._layers(self._default_prefix)
            if bundled.filters.shape == layers.filters.shape:
                reference = bundled.filters
        image = await self._drawing(chat_id, sample_id, layers.input_size)
        outputs = [] if image is None else await asyncio.to_thread(layers.outputs, image)
        texts = picture_texts(layers, outputs, lang)
        caption = _caption(layers, source, reference, image is not None, lang)
        if not len(layers.filters) and image is None:
            return LayerView(None, caption)
        png = await asyncio.to_thread(
            filters_picture,
            texts,
            layers.filters,
            reference=reference,
            image=image,
            outputs=outputs,
        )
        return LayerView(png, caption)

    async def _drawing(self, chat_id: int, sample_id: int | None, size: int) -> np.ndarray | None:
        if sample_id is None:
            newest = await self._repo.samples.newest(chat_id)
            sample_id = None if newest is None else newest.id
        pixels = (
            None if sample_id is None else await self._repo.samples.model_input(chat_id, sample_id)
        )
        if pixels is None or len(pixels) != size * size:
            return None
        return input_array(pixels, size)

    async def _layers(self, prefix: Path) -> HiddenLayers:
        layers = self._loaded.get(prefix)
        if layers is None:
            layers = await asyncio.to_thread(HiddenLayers.load, prefix)
            self._loaded[prefix] = layers
            while len(self._loaded) > _CACHE_SIZE:
                self._loaded.popitem(last=False)
        self._loaded.move_to_end(prefix)
        return layers


def filter_change(filters: np.ndarray, reference: np.ndarray) -> float:
    """Return how far ``filters`` moved from ``reference``: summed |change| over summed |weight|."""
    size = float(np.abs(reference).sum())
    return float(np.abs(filters - reference).sum()) / size if size else 0.0


def picture_texts(layers: HiddenLayers, outputs: list[np.ndarray], lang: str | None) -> FilterTexts:
    headings = []
    for number, output in enumerate(outputs, start=1):
        if output.ndim == 3:
            height, width, count = output.shape
            headings.append(
                t(
                    "filters.layer_maps",
                    lang,
                    number=number,
                    height=height,
                    width=width,
                    shown=min(count, MAPS_SHOWN),
                    count=count,
                )
            )
        else:
            headings.append(t("filters.layer_numbers", lang, number=number, count=output.size))
    rows, columns = layers.filters.shape[1:] if len(layers.filters) else (3, 3)
    return FilterTexts(
        filters_title=t(
            "filters.title", lang, count=len(layers.filters), rows=rows, columns=columns
        ),
        legend=t("filters.legend", lang),
        own=t("filters.own", lang),
        reference=t("filters.reference", lang),
        layers_title=t("filters.layers_title", lang),
        drawing=t("filters.drawing", lang, size=layers.input_size),
        layer=headings,
    )


def _caption(
    layers: HiddenLayers,
    source: str,
    reference: np.ndarray | None,
    has_drawing: bool,
    lang: str | None,
) -> str:
    if not len(layers.filters):
        first = t("filters.caption_dense", lang)
    elif source == "default":
        first = t("filters.caption_default", lang)
    elif reference is not None:
        change = percent(filter_change(layers.filters, reference), lang)
        first = t("filters.caption_tuned", lang, change=change)
    else:
        first = t("filters.caption_scratch", lang)
    how = t("filters.caption_how", lang) if len(layers.filters) else ""
    drawing = "" if has_drawing else t("filters.caption_no_drawing", lang)
    return "\n\n".join(part for part in (first, how, drawing) if part)
