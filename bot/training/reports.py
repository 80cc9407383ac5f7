"""Texts that describe a training or a comparison: its progress, its outcome, its failure."""

from __future__ import annotations

from typing import Any

from bot.labels.built_in import shown_name, shown_names
from bot.texts import t
from bot.texts.formats import bar
from bot.texts.numbers import decimal, percent, seconds
from model.job import FIT_VERDICTS, CompareSummary, EpochProgress

__all__ = [
    "comparison_failure_text",
    "comparison_progress_text",
    "comparison_text",
    "failure_text",
    "finished_text",
    "progress_text",
]

LOSS_PLACES = 3  # a loss falls by thousandths in the last epochs


def progress_text(event: EpochProgress, labels: list[str], samples: int, lang: str | None) -> str:
    """Describe one epoch event of the worker."""
    done, total = event.done, max(1, event.total)
    if event.phase == "final":
        stage = t("train.stage_final", lang)
    else:
        stage = t("train.stage_validation", lang, fold=event.fold, folds=event.folds)
    lines = [
        t(
            "train.progress_header",
            lang,
            labels=", ".join(shown_names(labels, lang)),
            samples=samples,
        ),
        t("train.progress_stage", lang, stage=stage, epoch=event.epoch, epochs=event.epochs),
        f"{bar(done / total)} {percent(done / total, lang)}",
        # The worker measures loss and accuracy on the drawings it learns from: say so, or
        # a 100% there reads as the model being right on new drawings.
        t(
            "train.progress_metrics",
            lang,
            loss=decimal(event.loss, lang, LOSS_PLACES),
            accuracy=percent(event.accuracy, lang),
        ),
    ]
    if event.val_accuracy is not None:  # not in the final phase, which keeps none back
        lines.append(
            t("train.progress_validation", lang, accuracy=percent(event.val_accuracy, lang))
        )
    return "\n".join(lines)


def finished_text(result: dict[str, Any], lang: str | None) -> str:
    """Describe a finished training: validation accuracy, per label, how it fitted, time."""
    counts: dict[str, int] = result["samples_per_label"]
    if result["mode"] == "kfold":
        method = t("train.method_kfold", lang, folds=result["folds"])
    else:
        method = t("train.method_holdout", lang)
    lines = [
        t("train.finished", lang, seconds=seconds(result["wall_seconds"], lang)),
        t(
            "train.validation",
            lang,
            accuracy=percent(result["validation_accuracy"], lang),
            method=method,
            samples=sum(counts.values()),
        ),
    ]
    per_label = result["per_label_accuracy"]
    for label, count in counts.items():
        lines.append(
            t(
                "train.per_label",
                lang,
                label=shown_name(label, lang),
                accuracy=percent(per_label.get(label, 0.0), lang),
                count=count,
            )
        )
    # A summary from a worker without the verdict, or of too short a training, says nothing.
    if result.get("fit_verdict") in FIT_VERDICTS:
        lines.append(t(f"train.fit_{result['fit_verdict']}", lang, epoch=result["best_epoch"]))
    # Older runs' results do not say how they started.
    if result.get("pretrained_layers"):
        change = result.get("filter_change")
        if change:
            lines.append(t("train.start_pretrained_tuned", lang, change=percent(change, lang)))
        else:
            lines.append(t("train.start_pretrained", lang))
    elif "pretrained_layers" in result:
        lines.append(t("train.start_scratch", lang))
    lines.append(t("train.serving", lang))
    return "\n".join(lines)


def variant_name(variant: str, lang: str | None) -> str:
    """Return how a /compare variant is called in ``lang`` (dense, cnn, cnn from the model)."""
    return t(f"compare.variant.{variant}", lang)


def comparison_progress_text(
    event: EpochProgress,
    variants: list[str],
    labels: list[str],
    samples: int,
    lang: str | None,
) -> str:
    """Describe one epoch event of a /compare worker (its phase is the variant)."""
    done, total = event.done, max(1, event.total)
    lines = [
        t(
            "compare.progress_header",
            lang,
            architectures=" / ".join(variant_name(v, lang) for v in variants),
            labels=", ".join(shown_names(labels, lang)),
            samples=samples,
        ),
        t(
            "compare.progress_stage",
            lang,
            architecture=variant_name(event.phase, lang),
            fold=event.fold,
            folds=event.folds,
            epoch=event.epoch,
            epochs=event.epochs,
        ),
        f"{bar(done / total)} {percent(done / total, lang)}",
    ]
    return "\n".join(lines)


def comparison_text(summary: CompareSummary, lang: str | None) -> str:
    """Return a finished /compare's result: each variant's accuracy, and which is which."""
    results = ", ".join(
        f"{variant_name(name, lang)} {percent(accuracy, lang)}"
        for name, accuracy in summary.accuracies.items()
    )
    if summary.mode == "kfold":
        line = t("compare.result_kfold", lang, folds=summary.folds, results=results)
    else:
        line = t("compare.result_holdout", lang, results=results)
    return line + "\n" + t("compare.explain", lang)


def comparison_failure_text(status: str, reason: str, lang: str | None) -> str:
    """Describe a comparison that failed or was stopped; the serving model is untouched."""
    return t(f"compare.{status}", lang, reason=reason) + "\n" + t("compare.model_unchanged", lang)


def failure_text(status: str, reason: str, lang: str | None) -> str:
    """Describe a training that failed or was stopped; the previous model keeps serving."""
    return t(f"train.{status}", lang, reason=reason) + "\n" + t("train.previous_serves", lang)
