"""Charts of a training, as PNG bytes: made to be read on a phone. Drawn in the worker.

Every function is pure: data and texts in, PNG bytes out. The texts (titles, axis names,
legend) come in as arguments, already translated, so a chart speaks the user's language;
so does how it writes numbers (a decimal mark, a percent suffix), since the bot's catalogue
is no part of the worker.

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

from model.job import whole_percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

__all__ = ["comparison_chart", "training_chart"]

# About 1000 px wide: sharp on a phone, small to send. Fonts large enough to read there.
DPI = 100
WIDTH_INCHES = 10.0
FONT_SIZE = 18
TITLE_SIZE = 22
CELL_FONT_SIZE = 20
TRAINING_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#ff7f0e"
BEST_COLOUR = "#2ca02c"
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


def training_chart(
    histories: Sequence[Mapping[str, Sequence[float]]],
    confusion: Sequence[Sequence[int]],
    labels: Sequence[str],
    *,
    title: str,
    loss: str,
    accuracy: str,
    epoch: str,
    training: str,
    validation: str,
    confusion_title: str,
    true: str,
    predicted: str,
    decimal_mark: str = ".",
    best_epoch: int = 0,
    best: str = "",
    label_names: str = "",
) -> bytes:
    """Draw a training in one picture: loss and accuracy per epoch above the confusion matrix.

    Args:
        histories: One dict per validation run with "loss", "accuracy", "val_loss" and
            "val_accuracy", one value per epoch; with several runs (k-fold) each line is the
            mean over the runs and a light band shows their spread (lowest to highest).
        confusion: Rows the true labels, columns the predicted, in the order of ``labels``.
        title, loss, accuracy, epoch, training, validation: The figure's title, the two
            curves' titles, the x axis name and the legend's two entries.
        confusion_title, true, predicted: The matrix's title and its axes' names.
        decimal_mark: What the loss axis writes between a number's whole part and its
            decimals ("," in German).
        best_epoch: The epoch (1-based) where validation was best, marked on both curves
            by a vertical line; 0 marks nothing.
        best: The line's legend entry, with ``{epoch}`` where its number goes.
        label_names: The labels as the reader calls them, one a line, in the order of
            ``labels`` ("fröhlich" for the built-in "smile" in German); "": ``labels``.
    """
    if not histories:
        raise ValueError("no history to draw")
    if best_epoch < 0:
        raise ValueError(f"no epoch {best_epoch}")
    counts = np.asarray(confusion, dtype=np.int64)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"a {counts.shape} matrix for {len(labels)} labels")
    # Telegram scales a photo to 1280 px on its longer side: 1000 x 1250 px stays as drawn.
    figure = _figure(12.5)
    figure.suptitle(title, fontsize=TITLE_SIZE)
    grid = figure.add_gridspec(2, 2, height_ratios=(1.0, 1.25))
    for column, (key, name, percent) in enumerate(
        (("loss", loss, False), ("accuracy", accuracy, True))
    ):
        _draw_history(
            figure.add_subplot(grid[0, column]),
            histories,
            key,
            name,
            percent=percent,
            training=training,
            validation=validation,
            epoch=epoch,
            decimal_mark=decimal_mark,
            best_epoch=best_epoch,
            best=best.format(epoch=best_epoch),
        )
    names = label_names.split("\n") if label_names else []
    shown = names if len(names) == len(labels) else list(labels)
    _draw_confusion(figure.add_subplot(grid[1, :]), counts, shown, confusion_title, true, predicted)
    return _png(figure)


def _draw_history(
    ax: Axes,
    histories: Sequence[Mapping[str, Sequence[float]]],
    key: str,
    name: str,
    *,
    percent: bool,
    training: str,
    validation: str,
    epoch: str,
    decimal_mark: str,
    best_epoch: int,
    best: str,
) -> None:
    """Draw one curve per epoch, training against validation, into ``ax``; mark the best."""
    from matplotlib.ticker import MaxNLocator

    for prefix, label, colour in (
        ("", training, TRAINING_COLOUR),
        ("val_", validation, VALIDATION_COLOUR),
    ):
        runs = np.asarray([history[prefix + key] for history in histories], dtype=np.float64)
        if percent:
            runs = 100.0 * runs
        epochs = np.arange(1, runs.shape[1] + 1)
        ax.plot(epochs, runs.mean(axis=0), color=colour, linewidth=3, label=label)
        if len(runs) > 1:
            ax.fill_between(
                epochs, runs.min(axis=0), runs.max(axis=0), color=colour, alpha=BAND_ALPHA
            )
    if best_epoch:
        # Where the training should have stopped: left of the line it learned, right of it
        # (when validation gets worse) it memorised. The same epoch on both curves.
        ax.axvline(best_epoch, color=BEST_COLOUR, linewidth=2.5, linestyle="--", label=best or None)
    ax.set_title(name, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.grid(alpha=0.3)
    if percent:
        ax.set_ylim(-2, 102)
        ax.set_ylabel("%", fontsize=FONT_SIZE)
    ax.legend(fontsize=FONT_SIZE - 4, loc="best")
    ax.set_xlabel(epoch, fontsize=FONT_SIZE)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if decimal_mark != ".":
        ax.yaxis.set_major_formatter(_marked_formatter(decimal_mark))


def _marked_formatter(decimal_mark: str) -> Formatter:
    """Return matplotlib's usual tick formatter, writing ``decimal_mark`` for its point.

    matplotlib still picks the ticks and their decimals; its own locale support would follow
    the worker's locale, not the chat's language.
    """
    from matplotlib.ticker import ScalarFormatter

    class Marked(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", decimal_mark)

    return Marked()


def _draw_confusion(
    ax: Axes, counts: np.ndarray, labels: Sequence[str], title: str, true: str, predicted: str
) -> None:
    """Draw a confusion matrix into ``ax``: counts in the cells, the diagonal in bold."""
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


def comparison_chart(
    accuracies: Sequence[tuple[str, float]],
    *,
    title: str,
    ylabel: str,
    percent_suffix: str = "%",
    **names: str,
) -> bytes:
    """Draw one bar of validation accuracy (0..1) per variant, the % written on it.

    ``percent_suffix`` follows each whole percentage ("\u00a0%" in German); ``names`` gives
    a variant's name under its bar (the variant's own name by default).
    """
    if not accuracies:
        raise ValueError("nothing to compare")
    figure = _figure(6.5)
    ax = figure.subplots()
    shown = [names.get(name, name) for name, _ in accuracies]
    values = [100.0 * value for _, value in accuracies]
    colours = [BAR_COLOURS[index % len(BAR_COLOURS)] for index in range(len(shown))]
    bars = ax.bar(shown, values, color=colours, width=0.55)
    ax.bar_label(
        bars,
        labels=[f"{whole_percent(value)}{percent_suffix}" for _, value in accuracies],
        fontsize=TITLE_SIZE,
        padding=4,
    )
    ax.set_ylim(0, 112)
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return _png(figure)
