"""A chat's labelled samples, checked and stacked as a training job's data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from model.serving import INPUT_SIZE
from storage import LabelledInput

__all__ = ["MIN_LABELS", "ChatDataset", "NotEnoughSamples", "load_dataset"]

MIN_LABELS = 2


class NotEnoughSamples(Exception):
    """Some label has too few samples, or there are fewer than two labels."""

    def __init__(self, missing: dict[str, int], labels: int, minimum: int) -> None:
        super().__init__(missing, labels, minimum)
        self.missing = missing
        self.labels = labels
        self.minimum = minimum


@dataclass(frozen=True)
class ChatDataset:
    """A chat's training data, checked and ready for a worker."""

    labels: list[str]  # sorted: the model's outputs in this order
    sample_ids: list[int]
    inputs: np.ndarray  # uint8 (N, size, size)
    targets: list[int]  # index into labels, per sample


def load_dataset(samples: list[LabelledInput], minimum: int) -> ChatDataset:
    """Check that every label has ``minimum`` samples and stack their inputs.

    An input an older preprocessing made still counts: it is a source today's refuses
    (bot/samples/repreparer.py), and a drawing someone labelled is never left out, nor the
    count of samples that /status shows different from what /train finds.

    Raises:
        NotEnoughSamples: fewer than two labels, or a label short of the minimum.
    """
    samples = [s for s in samples if s.input_size == INPUT_SIZE]
    counts = Counter(sample.label for sample in samples)
    missing = {label: minimum - n for label, n in sorted(counts.items()) if n < minimum}
    if len(counts) < MIN_LABELS or missing:
        raise NotEnoughSamples(missing, len(counts), minimum)
    labels = sorted(counts)
    index = {label: i for i, label in enumerate(labels)}
    inputs = np.stack(
        [np.frombuffer(s.model_input, np.uint8).reshape(INPUT_SIZE, INPUT_SIZE) for s in samples]
    )
    return ChatDataset(
        labels=labels,
        sample_ids=[sample.sample_id for sample in samples],
        inputs=inputs,
        targets=[index[sample.label] for sample in samples],
    )
