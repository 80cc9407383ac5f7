"""The playground chat as the web page sees it: messages with a revision each, and labels.

The fake Telegram edits messages in place, so the feed notices changes by comparing what
each message looks like now with what it looked like at the last look, and gives every
change a new revision number. The page asks for "everything after revision N".
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.labels.names import SUGGESTED_LABELS, InvalidLabel, label_argument, normalise_label
from bot.playground.fakeserver import FakeTelegram

__all__ = ["ChatFeed", "render_message"]

FILE_KEYS = ("document", "sticker", "video", "animation", "audio", "voice")
# The correction buttons under a prediction mark the predicted label with this.
PREDICTED_MARK = "✅ "


@dataclass
class _Seen:
    fingerprint: str
    revision: int


@dataclass
class ChatFeed:
    """Revisions of one chat's messages, for the page's "what changed since" polls."""

    telegram: FakeTelegram
    chat_id: int
    bot_username: str = "SmileyBot"
    _seen: dict[int, _Seen] = field(default_factory=dict)
    _revision: int = 0
    _keyboard_fingerprint: str = "null"
    _keyboard_revision: int = 0

    def scan(self) -> None:
        """Give every new, edited, deleted or newly reacted-to message a new revision."""
        chat = self.telegram.world.chats.get(self.chat_id)
        if chat is None:
            return
        for message_id, stored in chat.messages.items():
            view = render_message(stored.data, stored.sender, stored.deleted, stored.bot_reactions)
            fingerprint = json.dumps(view, sort_keys=True, ensure_ascii=False)
            seen = self._seen.get(message_id)
            if seen is None or seen.fingerprint != fingerprint:
                self._revision += 1
                self._seen[message_id] = _Seen(fingerprint, self._revision)
        keyboard = json.dumps(self.reply_keyboard(), sort_keys=True)
        if keyboard != self._keyboard_fingerprint:
            self._revision += 1
            self._keyboard_fingerprint = keyboard
            self._keyboard_revision = self._revision

    @property
    def revision(self) -> int:
        """Return the newest revision handed out so far."""
        return self._revision

    def since(self, revision: int) -> dict[str, Any]:
        """Return the messages changed after ``revision``, oldest first, and the keyboard."""
        self.scan()
        changed = sorted(
            (seen.revision, message_id)
            for message_id, seen in self._seen.items()
            if seen.revision > revision
        )
        messages = [json.loads(self._seen[message_id].fingerprint) for _, message_id in changed]
        result: dict[str, Any] = {"revision": self._revision, "messages": messages}
        if self._keyboard_revision > revision:
            result["keyboard"] = self.reply_keyboard()
        chat = self.telegram.world.chats.get(self.chat_id)
        result["typing"] = chat is not None and chat.last_action is not None
        return result

    async def wait(self, revision: int, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        """Return what changed after ``revision``, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.since(revision)
            left = deadline - time.monotonic()
            if result["messages"] or "keyboard" in result or left <= 0:
                return result
            # Short slices: a change that forgot to signal still shows within a second.
            await self.telegram.world.changes.wait(min(left, 1.0))

    def reply_keyboard(self) -> dict[str, Any] | None:
        """Return the reply keyboard the user sees now: the bot's latest one, if not removed."""
        chat = self.telegram.world.chats.get(self.chat_id)
        if chat is None:
            return None
        for stored in reversed(list(chat.messages.values())):
            keyboard = stored.reply_keyboard
            if keyboard is None:
                continue
            if keyboard.get("remove_keyboard") or "keyboard" not in keyboard:
                return None
            return {"keyboard": keyboard["keyboard"]}
        return None

    def labels(self) -> list[str]:
        """Return label names for the canvas's "Label as" buttons, without asking the bot's
        database: the four suggestions, then labels the chat used so far ("/label x"
        messages and captions, the canvas's "Label as", the buttons under predictions)."""
        chat = self.telegram.world.chats.get(self.chat_id)
        found: list[str] = list(SUGGESTED_LABELS)
        if chat is not None:
            for stored in chat.messages.values():
                if stored.deleted:
                    continue
                found.extend(_labels_in(stored.data, stored.from_bot, self.bot_username))
        return list(dict.fromkeys(found))

    def shows_file(self, file_id: str) -> bool:
        """Return whether a message of this chat shows the file (as a photo or a file)."""
        chat = self.telegram.world.chats.get(self.chat_id)
        if chat is None:
            return False
        return any(
            file_id in _file_ids(stored.data)
            for stored in chat.messages.values()
            if not stored.deleted
        )

    def web_app_button(self) -> dict[str, Any] | None:
        """Return the web_app button of the current reply keyboard (its text and URL query)."""
        keyboard = self.reply_keyboard()
        for row in (keyboard or {}).get("keyboard", []):
            for button in row:
                if isinstance(button, dict) and "web_app" in button:
                    query = parse_qs(urlsplit(str(button["web_app"].get("url", ""))).query)
                    return {"text": button.get("text", ""), "query": query}
        return None


def _file_ids(data: dict[str, Any]) -> set[str]:
    found = {size["file_id"] for size in data.get("photo", [])}
    found.update(data[key]["file_id"] for key in FILE_KEYS if key in data)
    return found


def _labels_in(data: dict[str, Any], from_bot: bool, bot_username: str) -> Iterable[str]:
    if from_bot:
        rows = data.get("reply_markup", {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if str(button.get("callback_data", "")).startswith("fix"):
                    name = str(button.get("text", "")).removeprefix(PREDICTED_MARK)
                    yield from _valid(name)
        return
    argument = label_argument(data.get("text") or data.get("caption"), bot_username)
    if argument:
        yield from _valid(argument)
    drawing = data.get("web_app_data", {}).get("data")
    if drawing:  # the canvas's "Label as x" (bot/webapp/encoding.py: {"a": "l", "l": x})
        try:
            fields = json.loads(drawing)
        except ValueError:
            return
        if isinstance(fields, dict) and fields.get("a") == "l" and isinstance(fields.get("l"), str):
            yield from _valid(fields["l"])


def _valid(raw: str) -> Iterable[str]:
    try:
        yield normalise_label(raw)
    except InvalidLabel:
        return


def render_message(
    data: dict[str, Any], sender: str, deleted: bool, reactions: list[str]
) -> dict[str, Any]:
    """Return what the page needs to show one message (text stays text: the page escapes)."""
    view: dict[str, Any] = {"id": data["message_id"], "sender": sender, "date": data.get("date")}
    if deleted:
        view["deleted"] = True
        return view
    for key in ("text", "entities", "caption", "caption_entities", "media_group_id"):
        if key in data:
            view[key] = data[key]
    if "edit_date" in data:
        view["edited"] = True
    if "photo" in data:
        largest = data["photo"][-1]
        view["photo"] = {
            "url": f"/api/files/{largest['file_id']}",
            "width": largest.get("width"),
            "height": largest.get("height"),
        }
    for key in FILE_KEYS:
        if key in data:
            item = data[key]
            view["file"] = {
                "kind": key,
                "name": item.get("file_name") or key,
                "url": f"/api/files/{item['file_id']}",
                "size": item.get("file_size"),
                "emoji": item.get("emoji"),
            }
            break
    if "web_app_data" in data:
        view["web_app_data"] = {"button_text": data["web_app_data"].get("button_text", "")}
    rows = data.get("reply_markup", {}).get("inline_keyboard")
    if rows:
        view["buttons"] = [
            [
                {
                    "text": button.get("text", ""),
                    "data": button.get("callback_data"),
                    "url": button.get("url"),
                }
                for button in row
            ]
            for row in rows
        ]
    replied = data.get("reply_to_message")
    if replied:
        view["reply_to"] = replied["message_id"]
    if reactions:
        view["reactions"] = list(reactions)
    return view
