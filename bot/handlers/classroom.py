"""/classroom in a group (admins), /start <code> and /leave in a pupil's private chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.classroom.codes import join_link, qr_png
from bot.classroom.projects import JoinStatus
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t

__all__ = ["LEAVE_CALLBACK_PATTERN", "classroom", "join_class", "leave", "leave_answer"]

LEAVE_CALLBACK_PATTERN = r"^leave:(keep|take)$"
# What a teacher may type after /classroom, in English or German.
_CLOSE = frozenset({"close", "schließen", "zu"})
_OPEN = frozenset({"open", "öffnen", "auf"})
_END = frozenset({"end", "beenden"})
_REMOVE = frozenset({"remove", "entfernen"})
_KEEP = frozenset({"keep", "behalten"})
_DELETE = frozenset({"delete", "löschen"})


async def classroom(update: Update, context: BotContext) -> None:
    """Start the group's class (or show its link again), or close, open, end it, remove a pupil."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    lang = language(update)
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await reply(update, t("class.only_groups", lang))
        return
    classrooms = context.bot_data.classrooms
    words = [word.casefold() for word in context.args or ()]
    if not words:
        user = update.effective_user
        started, new = await classrooms.start(chat.id, user.id if user else None, lang)
        link = join_link(context.bot.username, started.code)
        caption = t("class.started" if new else "class.link_again", lang, link=link)
        if not started.joining_open:
            caption += "\n\n" + t("class.closed_note", lang)
        await message.reply_photo(qr_png(link), caption=caption)
        # The live tally, sent again each time: the newest message is the one in sight.
        tally = context.bot_data.class_tally
        text = await tally.text(started)
        sent = await message.reply_text(text)
        await context.bot_data.repo.classes.set_tally_message(started.id, sent.message_id)
        tally.shown(started, text)
        return
    project = await classrooms.running(chat.id)
    if project is None:
        await reply(update, t("class.none", lang))
        return
    action, rest = words[0], words[1:]
    if action in _CLOSE | _OPEN:
        joining_open = action in _OPEN
        await classrooms.set_joining(project, joining_open)
        await reply(update, t("class.opened" if joining_open else "class.closed", lang))
    elif action in _END:
        if not rest or rest[0] not in _KEEP | _DELETE:
            await reply(update, t("class.end_usage", lang))
            return
        delete = rest[0] in _DELETE
        deleted = await classrooms.end(project, delete=delete)
        key = "class.ended_deleted" if delete else "class.ended_kept"
        await reply(update, t(key, lang, count=deleted))
    elif action in _REMOVE and rest:
        name = " ".join(context.args[1:]) if context.args else ""
        removal = await classrooms.remove(project, name)
        if not removal.matched:
            await reply(update, t("class.remove_unknown", lang, name=name))
        elif len(removal.matched) > 1:
            await reply(update, t("class.remove_ambiguous", lang, name=name))
        else:
            pupil = removal.matched[0].first_name
            await reply(update, t("class.removed", lang, name=pupil, count=removal.moved))
    else:
        await reply(update, t("class.usage", lang))


async def join_class(update: Update, context: BotContext) -> None:
    """/start <code> from a class's link: the pupil's private chat joins the class."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or not context.args:
        return
    lang = language(update)
    if chat.type != ChatType.PRIVATE:
        await reply(update, t("class.join_in_private", lang))
        return
    outcome = await context.bot_data.classrooms.join(
        context.args[0], chat.id, user.id, user.first_name
    )
    minimum = context.bot_data.config.limits.min_samples_per_label
    key = {
        JoinStatus.JOINED: "class.joined",
        JoinStatus.ALREADY: "class.already",
        JoinStatus.UNKNOWN: "class.code_unknown",
        JoinStatus.ENDED: "class.code_ended",
        JoinStatus.CLOSED: "class.code_closed",
    }[outcome.status]
    await reply(update, t(key, lang, name=user.first_name, minimum=minimum))


async def leave(update: Update, context: BotContext) -> None:
    """/leave: ask whether the pupil's drawings stay with the class or go with them."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    lang = language(update)
    if await context.bot_data.classrooms.of_pupil(chat.id) is None:
        await reply(update, t("class.not_in_one", lang))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("class.leave_keep", lang), callback_data="leave:keep")],
            [InlineKeyboardButton(t("class.leave_take", lang), callback_data="leave:take")],
        ]
    )
    await message.reply_text(t("class.leave_ask", lang), reply_markup=keyboard)


async def leave_answer(update: Update, context: BotContext) -> None:
    """Leave the class when the pupil taps one of /leave's buttons."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = language(update)
    await query.answer()
    chat_id = query.message.chat.id
    if await context.bot_data.classrooms.of_pupil(chat_id) is None:
        await query.edit_message_text(t("class.not_in_one", lang))
        return
    take = query.data == "leave:take"
    moved = await context.bot_data.classrooms.leave(chat_id, take_drawings=take)
    key = "class.left_took" if take else "class.left_kept"
    await query.edit_message_text(t(key, lang, count=moved))
