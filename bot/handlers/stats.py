"""/stats: who contributed how many labelled samples, and how many each label has."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from bot.training.contributors import contributor_accuracy
from storage import LabelCount
from storage.records import ContributorCount

__all__ = ["TOP_CONTRIBUTORS", "stats"]

TOP_CONTRIBUTORS = 10  # named one by one; the rest are summed up as "others"


async def stats(update: Update, context: BotContext) -> None:
    """Show the labelled samples per contributor (in groups) and per label."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = language(update)
    repo = context.bot_data.repo
    labels = sorted(await repo.labels.counts(chat.id), key=lambda c: (-c.count, c.name))
    if not labels:
        await reply(update, t("stats.empty", lang))
        return
    lines: list[str] = []
    if chat.type != ChatType.PRIVATE:  # in a private chat the one contributor is the reader
        contributors = await repo.labels.contributors(chat.id)
        lines += await _contributor_lines(context, chat.id, contributors, lang)
        lines.append("")
    lines += _label_lines(labels, lang)
    lines += ["", t("stats.total", lang, count=sum(c.count for c in labels))]
    await reply(update, "\n".join(lines))


async def _contributor_lines(
    context: BotContext, chat_id: int, contributors: list[ContributorCount], lang: str | None
) -> list[str]:
    lines = [t("stats.contributors", lang)]
    admins = context.bot_data.admins
    people = [(c.user_id, c.count) for c in contributors if c.user_id is not None]
    judged = await contributor_accuracy(context.bot_data.repo, chat_id)
    # A class's pupils by the first names they joined with, each of them named.
    pupils = await context.bot_data.classrooms.names(chat_id)
    named = max(TOP_CONTRIBUTORS, len(pupils))
    for user_id, count in people[:named]:
        name = pupils.get(user_id) or await admins.name(context.bot, chat_id, user_id)
        # str: an id is no quantity, so t() must not group its thousands.
        text = shown(name) if name else t("stats.unknown_user", lang, id=str(user_id))
        if user_id in judged:
            right, validated = judged[user_id]
            lines.append(
                t(
                    "stats.line_validated",
                    lang,
                    name=text,
                    count=count,
                    right=right,
                    validated=validated,
                )
            )
        else:
            lines.append(t("stats.line", lang, name=text, count=count))
    if judged:
        lines.append(t("stats.validated_hint", lang))
    rest = people[named:]
    if rest:
        count = sum(count for _, count in rest)
        lines.append(t("stats.others", lang, people=len(rest), count=count))
    imported = sum(c.count for c in contributors if c.user_id is None)
    if imported:
        lines.append(t("stats.line", lang, name=t("stats.imported", lang), count=imported))
    return lines


def _label_lines(labels: list[LabelCount], lang: str | None) -> list[str]:
    lines = [t("stats.labels", lang)]
    lines += [t("stats.line", lang, name=c.name, count=c.count) for c in labels]
    return lines
