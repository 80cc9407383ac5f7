"""How the last training's validation did on each person's drawings (/stats in groups).

A class sees whether the model knows everyone's way of drawing or only some people's: a
model that gets one pupil's drawings wrong far more often learned the others' style.
"""

from __future__ import annotations

from collections import Counter

from storage import Repository

__all__ = ["contributor_accuracy"]


async def contributor_accuracy(repo: Repository, chat_id: int) -> dict[int, tuple[int, int]]:
    """Return, per sender, (right, judged) among the drawings the last validation judged.

    Empty before a training, or after one whose worker did not say which it judged. A
    drawing deleted or relabelled since counts as it was judged.
    """
    run = await repo.runs.serving(chat_id)
    metrics = (run.metrics or {}) if run is not None else {}
    validated = [int(i) for i in metrics.get("validated_ids", [])]
    if not validated:
        return {}
    wrong = {int(item["sample_id"]) for item in metrics.get("misclassified", [])}
    senders = await repo.samples.senders(chat_id)
    judged: Counter[int] = Counter()
    right: Counter[int] = Counter()
    for sample_id in validated:
        who = senders.get(sample_id)
        if who is None:
            continue  # imported, or deleted since
        judged[who] += 1
        right[who] += sample_id not in wrong
    return {who: (right[who], judged[who]) for who in judged}
