"""FakeTelegram: a local Bot API server that python-telegram-bot can be pointed at."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from .api_base import ApiContext
from .calls import ApiCall, CallLog
from .dispatch import Dispatcher
from .faults import DEFAULT_DESCRIPTION, DOWNLOAD, Fault, FaultInjector
from .files import StoredFile
from .flood import FloodControl, FloodPolicy
from .incoming import UserSide
from .server import HttpServer, build_app
from .spec import ApiSpec
from .state import DEFAULT_USER_NAME, PRIVATE, World

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_HOST = "127.0.0.1"


def bot_id_from_token(token: str) -> int:
    """Return the bot id, the number before the colon of a bot token."""
    number, colon, secret = token.partition(":")
    if not colon or not number.isdigit() or not secret:
        raise ValueError(f"not a bot token: {token!r} (expected '<digits>:<secret>')")
    return int(number)


class FakeTelegram:
    """A fake Telegram Bot API server with chats, users and files, all in memory.

    Point python-telegram-bot at it with ``ApplicationBuilder().base_url(server.base_url)
    .base_file_url(server.base_file_url)``, make users act with ``send_text`` and friends,
    and observe what the bot did through ``calls``, ``bot_messages`` and the ``wait_*``
    methods.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        spec_path: Path | None = None,
        bot_username: str = "SmileyBot",
        can_read_all_group_messages: bool = False,
        flood: FloodPolicy = FloodPolicy(),  # noqa: B008 - frozen, so sharing is safe
        host: str = DEFAULT_HOST,
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id_from_token(token)
        self.world = World(
            bot_id=self.bot_id,
            bot_username=bot_username,
            can_read_all_group_messages=can_read_all_group_messages,
        )
        self.user_side = UserSide(self.world)
        self.flood_control = FloodControl(flood)
        self.log = CallLog()
        self._faults = FaultInjector()
        self.spec = ApiSpec.load(spec_path) if spec_path is not None else None
        self._dispatcher = Dispatcher(
            token=token,
            spec=self.spec,
            context=ApiContext(self.world, self.flood_control),
            log=self.log,
            faults=self._faults,
        )
        self._host = host
        self._app = build_app(self._dispatcher, self.world.files)
        self._http = HttpServer(self._app, host, port)

    # --- lifecycle -------------------------------------------------------------------------

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Serve more routes beside the Bot API (e.g. the playground's web chat).

        Call before ``start``: aiohttp freezes the routes once the server runs. Paths
        starting with ``/bot`` or ``/file/bot`` belong to the Bot API.
        """
        if self._http.port is not None:
            raise RuntimeError("add routes before the fake Telegram server starts")
        self._app.add_routes(routes)

    async def start(self) -> None:
        """Start serving on ``host``; with port 0 a free port is chosen."""
        self.world.updates.open()
        await self._http.start()

    async def stop(self) -> None:
        """Release waiting long polls and stop serving."""
        self.world.updates.close()
        await self._http.stop()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Return the server's root URL, e.g. ``http://127.0.0.1:PORT``."""
        if self._http.port is None:
            raise RuntimeError("the fake Telegram server is not started")
        return f"http://{self._host}:{self._http.port}"

    @property
    def port(self) -> int:
        """Return the port the server listens on (chosen at start when given as 0)."""
        if self._http.port is None:
            raise RuntimeError("the fake Telegram server is not started")
        return self._http.port

    @property
    def base_url(self) -> str:
        """Return the Bot API base URL without the token (PTB appends it)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the file download base URL without the token (PTB appends it)."""
        return f"{self.url}/file/bot"

    # --- setup -----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = DEFAULT_USER_NAME,
        *,
        language_code: str | None = "en",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Create a user and return its ``User`` object."""
        return self.world.add_user(
            user_id, first_name, language_code=language_code, username=username
        )

    def add_chat(
        self,
        chat_id: int,
        *,
        type: str = PRIVATE,
        title: str | None = None,
        reactions_enabled: bool = True,
        admins: Iterable[int] = (),
        username: str | None = None,
    ) -> dict[str, Any]:
        """Create a chat (groups have negative ids) and return its ``Chat`` object.

        The first of ``admins`` is the chat's creator; include ``bot_id`` to make the bot
        an administrator (it then sees every group message despite privacy mode).
        """
        chat = self.world.add_chat(
            chat_id,
            type=type,
            title=title,
            username=username,
            reactions_enabled=reactions_enabled,
            admins=list(admins),
        )
        return chat.as_chat()

    def block_bot(self, user_id: int) -> None:
        """Make a user block the bot: sending to them fails with 403 like Telegram."""
        self.world.blocked_by.add(user_id)

    def upload(
        self,
        data: bytes,
        *,
        kind: str = "document",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store a file without a message (e.g. to test getFile) and return it."""
        return self.world.files.add(data, kind=kind, file_name=file_name, mime_type=mime_type)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = DEFAULT_DESCRIPTION,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status``/``description``.

        With ``delay`` > 0 the calls are instead held for ``delay`` seconds and then
        handled normally, as a slow Telegram does (a client that timed out meanwhile never
        sees the result, but the message is sent all the same).
        """
        fault = Fault(status, description, retry_after, delay)
        self._faults.add(method, fault, times)

    def fail_next_download(
        self,
        *,
        status: int = 502,
        description: str = "Bad Gateway",
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` file downloads fail (or, with ``delay``, wait that long)."""
        self._faults.add(DOWNLOAD, Fault(status, description, None, delay), times)

    @property
    def downloads(self) -> list[int]:
        """Return the HTTP status of every file download so far, in order."""
        return list(self._dispatcher.downloads)

    # --- what users do ---------------------------------------------------------------------

    def send_text(
        self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """A user sends text; commands get ``bot_command`` entities. Returns the Message."""
        return self.user_side.send_text(chat_id, user_id, text, reply_to=reply_to)

    def send_photo(
        self,
        chat_id: int,
        user_id: int,
        image: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a photo (stored as JPEG sizes of 90/320/800/1280 px)."""
        return self.user_side.send_photo(
            chat_id,
            user_id,
            image,
            caption=caption,
            media_group_id=media_group_id,
            reply_to=reply_to,
        )

    def send_document(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        *,
        file_name: str,
        mime_type: str | None,
        caption: str | None = None,
        media_group_id: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a file as a document."""
        return self.user_side.send_document(
            chat_id,
            user_id,
            data,
            file_name=file_name,
            mime_type=mime_type,
            caption=caption,
            media_group_id=media_group_id,
            reply_to=reply_to,
        )

    def send_sticker(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        *,
        is_animated: bool = False,
        is_video: bool = False,
        emoji: str = "🙂",
    ) -> dict[str, Any]:
        """A user sends a sticker."""
        return self.user_side.send_sticker(
            chat_id, user_id, data, is_animated=is_animated, is_video=is_video, emoji=emoji
        )

    def send_message(self, chat_id: int, user_id: int | None, **fields: Any) -> dict[str, Any]:
        """A user sends a message with any Message fields (``user_id`` None: no ``from``)."""
        return self.user_side.send_message(chat_id, user_id, **fields)

    def send_web_app_data(
        self, chat_id: int, user_id: int, data: str, button_text: str = "Draw"
    ) -> dict[str, Any]:
        """A Web App opened from a keyboard button calls ``Telegram.WebApp.sendData(data)``.

        The bot gets a Message with ``web_app_data`` {data, button_text} from the user, as
        Telegram delivers it (private chats only, data 1-4096 bytes). Returns the Message.
        """
        return self.user_side.send_web_app_data(chat_id, user_id, data, button_text)

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """A user edits their text message (an ``edited_message`` update)."""
        return self.user_side.edit_user_message(chat_id, message_id, text)

    def post_in_channel(self, chat_id: int, text: str) -> dict[str, Any]:
        """A channel posts text (a ``channel_post`` update)."""
        return self.user_side.post_in_channel(chat_id, text)

    def remove_bot(self, chat_id: int, user_id: int, *, kicked: bool = False) -> dict[str, Any]:
        """A user removes the bot from a chat (or blocks it, in private): my_chat_member."""
        return self.user_side.set_bot_status(chat_id, user_id, "kicked" if kicked else "left")

    def add_bot(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """A user adds the bot (back) to a chat: my_chat_member."""
        return self.user_side.set_bot_status(chat_id, user_id, "member")

    def press_button(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        """A user presses an inline button of a bot message; returns the callback query id."""
        return self.user_side.press_button(chat_id, user_id, message_id, data)

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int) -> None:
        """Upgrade a group to a supergroup with a new id, as Telegram does."""
        self.user_side.migrate_to_supergroup(chat_id, new_chat_id)

    # --- observation -----------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Return every request so far, in the order they were answered."""
        return self.log.calls

    @property
    def violations(self) -> list[str]:
        """Return the spec problems seen: unknown parameters, wrong types, bad results."""
        return self._dispatcher.violations

    def errors(self, code: int | None = None) -> list[ApiCall]:
        """Return the failed calls the bot saw, optionally only those with ``code``."""
        return self.log.errors(code)

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Return the bot's live messages in a chat, oldest first, with edits applied."""
        return [m.snapshot() for m in self.world.bot_messages(chat_id)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Return any live message of a chat, or None."""
        chat = self.world.chats.get(chat_id)
        stored = chat.message(message_id) if chat else None
        return stored.snapshot() if stored else None

    def file_bytes(self, file_id: str) -> bytes:
        """Return the bytes of a stored file (e.g. a photo size the bot sent)."""
        stored = self.world.files.get(file_id)
        if stored is None:
            raise KeyError(f"no file {file_id!r}")
        return stored.data

    def media_bytes(self, message: dict[str, Any]) -> bytes:
        """Return the bytes of a message's photo (its largest size), document or sticker."""
        if "photo" in message:
            return self.file_bytes(message["photo"][-1]["file_id"])
        for key in ("document", "sticker", "video", "animation", "audio", "voice"):
            if key in message:
                return self.file_bytes(message[key]["file_id"])
        raise KeyError(f"message {message.get('message_id')} has no file")

    def reactions(self, chat_id: int, message_id: int) -> list[str]:
        """Return the emoji the bot currently has set on a message."""
        chat = self.world.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        return list(stored.bot_reactions) if stored else []

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """Return how the bot answered a button press (text, show_alert, url), or None."""
        record = self.world.callbacks.get(query_id)
        return copy.deepcopy(record.answer) if record else None

    def chat_action(self, chat_id: int) -> str | None:
        """Return the last chat action (e.g. "typing") the bot sent to a chat."""
        chat = self.world.chats.get(chat_id)
        return chat.last_action if chat else None

    def commands(self, *, language_code: str = "", scope: str = "default") -> list[dict[str, Any]]:
        """Return the bot's commands for a scope key and language.

        Scope keys: "default", "all_private_chats", "all_group_chats",
        "all_chat_administrators", "chat:<chat_id>", "chat_administrators:<chat_id>",
        "chat_member:<chat_id>:<user_id>".
        """
        return self.world.get_commands(scope, language_code)

    @property
    def bot_is_polling(self) -> bool:
        """Whether a getUpdates long poll is waiting right now."""
        return self.world.updates.polling

    async def wait_polling(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> None:
        """Wait until a getUpdates long poll is waiting (the bot is online)."""
        deadline = time.monotonic() + timeout
        while not self.bot_is_polling:
            started = await self.world.updates.poll_started.wait(deadline - time.monotonic())
            if not started and not self.bot_is_polling:
                raise AssertionError(f"the bot did not poll within {timeout}s; {self.log.dump()}")

    def redeliver(self, message: dict[str, Any]) -> int:
        """Deliver a message's update again, as after a crash; return its update_id."""
        update = self.world.updates.redeliver(message["chat"]["id"], message["message_id"])
        self.world.changes.changed()
        return update.update_id

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Return the updates the bot has not confirmed yet."""
        return [u.as_update() for u in self.world.updates.pending]

    async def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> ApiCall:
        """Return the first call (past or future) matching ``predicate``.

        Raises:
            AssertionError: on timeout, listing the recent calls.
        """
        return await self.log.wait_for(predicate, timeout=timeout)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        after_message_id: int = 0,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> dict[str, Any]:
        """Return the first bot message in a chat with a larger id (and ``contains`` in its
        text or caption), waiting for it if needed.

        Raises:
            AssertionError: on timeout, listing the recent calls.
        """
        deadline = time.monotonic() + timeout
        while True:
            for message in self.bot_messages(chat_id):
                text = message.get("text") or message.get("caption") or ""
                if message["message_id"] > after_message_id and (
                    contains is None or contains in text
                ):
                    return message
            changed = await self.world.changes.wait(deadline - time.monotonic())
            if not changed and time.monotonic() >= deadline:
                wanted = f" containing {contains!r}" if contains else ""
                raise AssertionError(
                    f"no bot message{wanted} in chat {chat_id} after message "
                    f"{after_message_id} within {timeout}s; {self.log.dump()}"
                )

    async def wait_idle(
        self,
        *,
        quiet: float = 0.3,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> None:
        """Wait until the bot made no request other than getUpdates for ``quiet`` seconds."""
        await self.log.wait_idle(quiet=quiet, timeout=timeout)
