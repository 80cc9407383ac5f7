"""A chat's labelled samples as a job's data: enough of each label."""

from __future__ import annotations

import pytest

from bot.training.dataset import NotEnoughSamples, load_dataset
from model.serving import INPUT_SIZE, PREPROCESS_VERSION
from storage import LabelledInput


def labelled(sample_id: int, label: str, *, version: int = PREPROCESS_VERSION) -> LabelledInput:
    pixels = bytes([sample_id]) * INPUT_SIZE**2
    return LabelledInput(sample_id, label, pixels, INPUT_SIZE, version)


def test_the_data_stacks_each_labels_inputs_in_order() -> None:
    data = load_dataset([labelled(1, "smile"), labelled(2, "sad"), labelled(3, "smile")], 1)

    assert data.labels == ["sad", "smile"]
    assert data.sample_ids == [1, 2, 3]
    assert data.targets == [1, 0, 1]
    assert data.inputs.shape == (3, INPUT_SIZE, INPUT_SIZE)
    assert [int(x[0, 0]) for x in data.inputs] == [1, 2, 3]


def test_inputs_an_older_preprocessing_made_still_count() -> None:
    # What the re-preparation left stale: sources today's preprocessing refuses.
    older = labelled(2, "smile", version=PREPROCESS_VERSION - 1)
    data = load_dataset([labelled(1, "smile"), older, labelled(3, "sad")], 1)

    assert data.sample_ids == [1, 2, 3]
    with pytest.raises(NotEnoughSamples) as short:
        load_dataset([labelled(1, "smile"), older, labelled(3, "sad")], 2)
    assert short.value.missing == {"sad": 1}
