"""Charts of a training, as PNG bytes: made to be read on a phone. Drawn in the worker.

Every function is pure: data and texts in, PNG bytes out. The texts (titles, axis names,
legend) come in as arguments, already translated, so a chart speaks the user's language.

matplotlib draws with its Agg backend (no display, no GUI toolkit), selected by using the
object-oriented `Figure` API directly rather than pyplot, which keeps no global state and so
is safe in threads. It is imported only when a chart is drawn. The contact sheets the bot
makes itself need no plotting library: they are model.serving.sheets.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["captioned_grid", "comparison_chart", "confusion_chart", "history_chart"]

# About 1000 px wide: sharp on a phone, small to send. Fonts large enough to read there.
DPI = 100
WIDTH_INCHES = 10.0
FONT_SIZE = 18
TITLE_SIZE = 22
CELL_FONT_SIZE = 20
TRAINING_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#ff7f0e"
BAR_COLOURS = ("#8c8c8c", "#2ca02c", "#1f77b4", "#d62728")
BAND_ALPHA = 0.18
GRID_COLUMNS = 3  # room for a "true: … → predicted: …" caption under each


def _png(figure: Figure) -> bytes:
    """Render a figure to PNG bytes (Agg) and return them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _figure(height_inches: float) -> Figure:
    """Return an empty figure ~1000 px wide whose parts make room for each other."""
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI, layout="constrained")


def history_chart(
    histories: Sequence[Mapping[str, Sequence[float]]],
    *,
    title: str,
    loss: str,
    accuracy: str,
    epoch: str,
    training: str,
    validation: str,
) -> bytes:
    """Draw loss and accuracy per epoch, training against validation, as two stacked panels.

    With several validation runs (k-fold) each line is the mean over the runs and a light
    band shows their spread (lowest to highest).

    Args:
        histories: One dict per validation run with "loss", "accuracy", "val_loss" and
            "val_accuracy", one value per epoch.
        title, loss, accuracy, epoch, training, validation: The figure's title, the two
            panels' titles, the x axis name and the legend's two entries.
    """
    if not histories:
        raise ValueError("no history to draw")
    figure = _figure(10.0)
    figure.suptitle(title, fontsize=TITLE_SIZE)
    axes = figure.subplots(2, 1, sharex=True)
    for ax, key, name, as_percent in (
        (axes[0], "loss", loss, False),
        (axes[1], "accuracy", accuracy, True),
    ):
        for prefix, label, colour in (
            ("", training, TRAINING_COLOUR),
            ("val_", validation, VALIDATION_COLOUR),
        ):
            runs = np.asarray([history[prefix + key] for history in histories], dtype=np.float64)
            if as_percent:
                runs = 100.0 * runs
            epochs = np.arange(1, runs.shape[1] + 1)
            ax.plot(epochs, runs.mean(axis=0), color=colour, linewidth=3, label=label)
            if len(runs) > 1:
                ax.fill_between(
                    epochs, runs.min(axis=0), runs.max(axis=0), color=colour, alpha=BAND_ALPHA
                )
        ax.set_title(name, fontsize=FONT_SIZE)
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.grid(alpha=0.3)
        if as_percent:
            ax.set_ylim(-2, 102)
            ax.set_ylabel("%", fontsize=FONT_SIZE)
        ax.legend(fontsize=FONT_SIZE - 2, loc="best")
    axes[1].set_xlabel(epoch, fontsize=FONT_SIZE)
    axes[1].xaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def confusion_chart(
    confusion: Sequence[Sequence[int]],
    labels: Sequence[str],
    *,
    title: str,
    true: str,
    predicted: str,
) -> bytes:
    """Draw a confusion matrix: rows the true labels, columns the predicted, counts in the cells."""
    counts = np.asarray(confusion, dtype=np.int64)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"a {counts.shape} matrix for {len(labels)} labels")
    figure = _figure(9.0)
    ax = figure.subplots()
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(1, int(counts.max())))
    ax.set_title(title, fontsize=TITLE_SIZE)
    ticks = np.arange(len(labels))
    # Long label lists get smaller tick labels, tilted, so ten still fit side by side.
    tick_size = FONT_SIZE if len(labels) <= 5 else FONT_SIZE - 4
    ax.set_xticks(
        ticks,
        labels,
        fontsize=tick_size,
        rotation=30 if len(labels) > 4 else 0,
        ha="right" if len(labels) > 4 else "center",
    )
    ax.set_yticks(ticks, labels, fontsize=tick_size)
    ax.set_xlabel(predicted, fontsize=FONT_SIZE)
    ax.set_ylabel(true, fontsize=FONT_SIZE)
    threshold = counts.max() / 2.0
    cell_size = CELL_FONT_SIZE if len(labels) <= 6 else CELL_FONT_SIZE - 6
    for row in range(len(labels)):
        for column in range(len(labels)):
            value = int(counts[row, column])
            ax.text(
                column,
                row,
                str(value),
                ha="center",
                va="center",
                fontsize=cell_size,
                fontweight="bold" if row == column else "normal",
                color="white" if value > threshold else "black",
            )
    return _png(figure)


def comparison_chart(
    accuracies: Sequence[tuple[str, float]], *, title: str, ylabel: str, **names: str
) -> bytes:
    """Draw one bar of validation accuracy (0..1) per variant, the % written on it.

    ``names`` gives a variant's name under its bar (the variant's own name by default).
    """
    if not accuracies:
        raise ValueError("nothing to compare")
    figure = _figure(6.5)
    ax = figure.subplots()
    shown = [names.get(name, name) for name, _ in accuracies]
    values = [100.0 * value for _, value in accuracies]
    colours = [BAR_COLOURS[index % len(BAR_COLOURS)] for index in range(len(shown))]
    bars = ax.bar(shown, values, color=colours, width=0.55)
    ax.bar_label(bars, labels=[f"{value:.0f}%" for value in values], fontsize=TITLE_SIZE, padding=4)
    ax.set_ylim(0, 112)
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return _png(figure)


def captioned_grid(
    images: Sequence[bytes], captions: Sequence[str], *, title: str, columns: int = GRID_COLUMNS
) -> bytes:
    """Lay out images (encoded, any format Pillow reads) with a caption under each."""
    if not images or len(images) != len(captions):
        raise ValueError("need one caption per image, and at least one image")
    used = min(columns, len(images))
    rows = -(-len(images) // used)
    figure = _figure(0.9 + rows * WIDTH_INCHES / used * 1.15)
    figure.suptitle(title, fontsize=TITLE_SIZE)
    axes = np.atleast_1d(figure.subplots(rows, used)).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, data, caption in zip(axes, images, captions, strict=False):
        with Image.open(io.BytesIO(data)) as opened:
            ax.imshow(np.asarray(opened.convert("L")), cmap="gray", vmin=0, vmax=255)
        ax.set_title(caption, fontsize=FONT_SIZE - 4)
    return _png(figure)
