"""The playground's web chat: static pages and a small JSON API on the fake Telegram.

Everything a person does in the page becomes what a Telegram user does (a message, an
upload, a button press, a Web App's data) through ``FakeTelegram``'s user-side methods, so
the bot answers through its real handlers. Nothing here reads the bot's database.
"""

from __future__ import annotations

import mimetypes
import secrets
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.classroom.codes import qr_png
from bot.playground.classroom import Classroom, Refusal, Refused
from bot.playground.fakeserver import FakeTelegram
from bot.playground.sessions import PlaygroundChat, Sessions, Visitors

__all__ = ["STATIC_DIR", "routes"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The drawing canvas (bot/webapp/static), the same page Telegram shows as a Mini App.
WEBAPP_DIR = Path(__file__).resolve().parents[1] / "webapp" / "static"
MAX_TEXT = 4096  # what Telegram lets a user type in one message
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_ALBUM = 10  # Telegram's album limit
LONG_POLL_SECONDS = 25.0
ANSWER_WAIT_SECONDS = 3.0
LANGUAGES = ("en", "de")
DEFAULT_BUTTON_TEXT = "Draw"
# Stop the browser from guessing types, and keep the page out of other sites' frames.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# What the join page needs before anybody has a session: its own script and the style.
JOIN_PAGE_FILES = frozenset({"join.js", "chat.css"})
MAX_JOIN_BYTES = 1024
REFUSAL_STATUS = {
    Refusal.TOO_MANY: 429,
    Refusal.WRONG: 403,
    Refusal.NAME: 400,
    Refusal.FULL: 409,
    Refusal.STARTING: 503,
}


def routes(visitors: Visitors, classroom: Classroom | None = None) -> list[web.AbstractRouteDef]:
    """Return the web chat's routes; each request's chat is whichever ``visitors`` says.

    With a ``classroom``, a request without a session gets the join page at ``/`` and
    ``401`` everywhere else, but for the join page's own script and style, the join itself
    and the teacher's link.
    """

    def bound(handler: Any, *, teacher: bool = False) -> Any:
        async def route(request: web.Request) -> web.StreamResponse:
            chat = visitors.chat_for(request)
            if chat is None:
                response: web.StreamResponse = _error(401, "join the class first")
            elif teacher and not chat.teacher:
                response = _error(403, "only for the teacher")
            else:
                response = await handler(request, chat)
            response.headers.update(SECURITY_HEADERS)
            return response

        return route

    def public(handler: Any) -> Any:
        async def route(request: web.Request) -> web.StreamResponse:
            response = await handler(request)
            response.headers.update(SECURITY_HEADERS)
            return response

        return route

    chat_routes = [
        web.get("/webapp/{name}", bound(_webapp)),
        web.get("/api/state", bound(_state)),
        web.get("/api/events", bound(_events)),
        web.get("/api/labels", bound(_labels)),
        web.get("/api/files/{file_id}", bound(_file)),
        web.post("/api/send", bound(_send)),
        web.post("/api/upload", bound(_upload)),
        web.post("/api/press", bound(_press)),
        web.post("/api/web_app_data", bound(_web_app_data)),
        web.post("/api/language", bound(_language)),
    ]
    if classroom is None:
        return [
            web.get("/", bound(_index)),
            web.get("/static/{name}", bound(_static)),
            *chat_routes,
        ]
    entrance = _Entrance(visitors, classroom)
    return [
        web.get("/", public(entrance.index)),
        web.get("/static/{name}", public(entrance.static)),
        web.post("/api/join", public(entrance.join)),
        web.get("/teacher", public(entrance.teacher_page)),
        web.get("/api/class", bound(entrance.class_state, teacher=True)),
        web.get("/api/class/qr.png", bound(entrance.join_qr, teacher=True)),
        *chat_routes,
    ]


# --- pages ---------------------------------------------------------------------------------


async def _index(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    return _file_response(STATIC_DIR / "index.html")


async def _static(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    return _from_folder(STATIC_DIR, request.match_info["name"])


async def _webapp(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    return _from_folder(WEBAPP_DIR, request.match_info["name"])


def _from_folder(folder: Path, name: str) -> web.StreamResponse:
    # Only plain file names of the folder itself: no "..", no sub-folders, no dotfiles.
    path = folder / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise web.HTTPNotFound(text="not found")
    return _file_response(path)


def _file_response(path: Path) -> web.StreamResponse:
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = web.FileResponse(path, headers={"Content-Type": content_type})
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the JSON API --------------------------------------------------------------------------


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


async def _state(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    world = chat.telegram.world
    user = world.user(chat.user_id)
    return web.json_response(
        {
            "ok": True,
            "chat_id": chat.chat_id,
            "classroom": chat.in_class,
            "teacher": chat.teacher,
            "user": {"id": chat.user_id, "name": user["first_name"]},
            "language": user.get("language_code") or "en",
            "languages": list(LANGUAGES),
            "bot": world.bot_user(),
        }
    )


async def _events(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    try:
        after = int(request.query.get("after", "0"))
        wait = min(float(request.query.get("wait", "0")), LONG_POLL_SECONDS)
    except ValueError:
        return _error(400, "after and wait must be numbers")
    result = await chat.feed.wait(after, max(wait, 0.0))
    return web.json_response({"ok": True, **result})


async def _labels(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    # The bot's own word first: the labels in the URL of the Web App button it sent
    # (as /draw does in Telegram); until then, the labels seen in this chat.
    button = chat.feed.web_app_button()
    labels: list[str] = []
    if button is not None:
        for value in button["query"].get("labels", []):
            labels.extend(name for name in value.split(",") if name)
    source = "bot" if labels else "chat"
    return web.json_response({"ok": True, "labels": labels or chat.feed.labels(), "source": source})


async def _file(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    # Only files of the asker's own chat: in a class, each browser sees only its chat.
    file_id = request.match_info["file_id"]
    stored = chat.telegram.world.files.get(file_id)
    if stored is None or not chat.feed.shows_file(file_id):
        raise web.HTTPNotFound(text="no such file")
    content_type = mimetypes.guess_type(stored.file_path)[0] or "application/octet-stream"
    # Pictures show inline; anything else is a download, never rendered as a page.
    inline = content_type.startswith("image/") and content_type != "image/svg+xml"
    headers = {"Content-Type": content_type if inline else "application/octet-stream"}
    if not inline:
        name = stored.file_path.rsplit("/", 1)[-1]
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return web.Response(body=stored.data, headers=headers)


async def _send(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    body = await _json_body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return _error(400, "type a message first")
    if len(text) > MAX_TEXT:
        return _error(400, f"a message holds at most {MAX_TEXT} characters")
    message = chat.telegram.send_text(chat.chat_id, chat.user_id, text)
    return web.json_response({"ok": True, "message_id": message["message_id"]})


async def _upload(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    """One or more pictures (an album when several), as photos or, with as=document, files."""
    form = await request.post()
    files = [value for value in form.getall("file", []) if isinstance(value, web.FileField)]
    caption = form.get("caption")
    caption = caption.strip() if isinstance(caption, str) and caption.strip() else None
    as_document = form.get("as") == "document"
    if not files:
        return _error(400, "choose a picture first")
    if len(files) > MAX_FILES_PER_ALBUM:
        return _error(400, f"an album holds at most {MAX_FILES_PER_ALBUM} pictures")
    group = secrets.token_hex(8) if len(files) > 1 else None
    sent: list[int] = []
    for index, upload in enumerate(files):
        data = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return _error(413, "a picture may have at most 20 MB")
        # Telegram shows an album's caption under its first item.
        item_caption = caption if index == 0 else None
        try:
            if as_document:
                message = chat.telegram.send_document(
                    chat.chat_id,
                    chat.user_id,
                    data,
                    file_name=upload.filename or "picture",
                    mime_type=upload.content_type,
                    caption=item_caption,
                    media_group_id=group,
                )
            else:
                message = chat.telegram.send_photo(
                    chat.chat_id, chat.user_id, data, caption=item_caption, media_group_id=group
                )
        except ValueError as exc:  # e.g. not a picture Telegram could compress
            return _error(400, str(exc))
        sent.append(message["message_id"])
    return web.json_response({"ok": True, "message_ids": sent})


async def _press(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    """Press an inline button; wait briefly for the bot's answer (the toast Telegram shows)."""
    body = await _json_body(request)
    message_id, data = body.get("message_id"), body.get("data")
    if not isinstance(message_id, int) or not isinstance(data, str):
        return _error(400, "message_id (a number) and data (a string) are needed")
    telegram = chat.telegram
    try:
        query_id = telegram.press_button(chat.chat_id, chat.user_id, message_id, data)
    except ValueError:
        return _error(404, "this button is gone")
    answer = await _callback_answer(telegram, query_id)
    return web.json_response({"ok": True, "answer": answer})


async def _callback_answer(telegram: FakeTelegram, query_id: str) -> dict[str, Any] | None:
    deadline = time.monotonic() + ANSWER_WAIT_SECONDS
    while (answer := telegram.callback_answer(query_id)) is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        await telegram.world.changes.wait(min(left, 0.25))
    return answer


async def _web_app_data(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    """What the canvas would give ``Telegram.WebApp.sendData``, delivered like Telegram does."""
    body = await _json_body(request)
    data = body.get("data")
    if not isinstance(data, str):
        return _error(400, "data (a string) is needed")
    button = chat.feed.web_app_button()
    button_text = (button or {}).get("text") or DEFAULT_BUTTON_TEXT
    try:
        message = chat.telegram.send_web_app_data(chat.chat_id, chat.user_id, data, button_text)
    except ValueError as exc:
        return _error(400, str(exc))
    return web.json_response({"ok": True, "message_id": message["message_id"]})


async def _language(request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
    """Switch the user's Telegram language, which the bot answers in."""
    body = await _json_body(request)
    language = body.get("language")
    if language not in LANGUAGES:
        return _error(400, f"language must be one of {', '.join(LANGUAGES)}")
    world = chat.telegram.world
    user = world.user(chat.user_id)
    world.add_user(
        chat.user_id,
        user["first_name"],
        language_code=language,
        username=user.get("username"),
    )
    return web.json_response({"ok": True, "language": language})


# --- the classroom's entrance: the join page, the join, the teacher's link ----------------


class _Entrance:
    """What a classroom serves to a browser that may have no session yet."""

    def __init__(self, visitors: Visitors, classroom: Classroom) -> None:
        self._visitors = visitors
        self._classroom = classroom

    async def index(self, request: web.Request) -> web.StreamResponse:
        chat = self._visitors.chat_for(request)
        if chat is None:
            return _file_response(STATIC_DIR / "join.html")
        if chat.teacher:
            return _see_other("/teacher")
        return _file_response(STATIC_DIR / "index.html")

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in JOIN_PAGE_FILES and self._visitors.chat_for(request) is None:
            return _error(401, "join the class first")
        return _from_folder(STATIC_DIR, name)

    async def join(self, request: web.Request) -> web.StreamResponse:
        """A pupil's PIN and first name: their own user and chat, and its session."""
        # Anybody may ask: no megabytes read for a PIN and a name.
        if request.content_length is None or request.content_length > MAX_JOIN_BYTES:
            return _error(413, f"a join is a short JSON object (at most {MAX_JOIN_BYTES} bytes)")
        body = await _json_body(request)
        language = body.get("language")
        try:
            pupil = self._classroom.join(
                request.remote or "",
                body.get("pin"),
                body.get("name"),
                language if language in LANGUAGES else "en",
            )
        except Refused as refused:
            return _refusal(refused)
        response = web.json_response({"ok": True, "user_id": pupil.user_id})
        self._sessions.open(response, pupil)
        return response

    async def teacher_page(self, request: web.Request) -> web.StreamResponse:
        """The teacher's link (?key=…) opens the teacher's session; the page needs it."""
        key = request.query.get("key")
        if key is not None:
            try:
                self._classroom.check(request.remote or "", key, self._classroom.teacher_key)
            except Refused as refused:
                return _refusal(refused)
            # Away from the address bar, so the key is not on the projector.
            response = _see_other("/teacher")
            self._sessions.open(response, self._classroom.teacher)
            return response
        chat = self._visitors.chat_for(request)
        if chat is None or not chat.teacher:
            return _error(403, "open the teacher link printed when the playground started")
        return _file_response(STATIC_DIR / "teacher.html")

    async def class_state(self, request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
        """What the teacher's page shows above the group: the PIN, the address, the pupils."""
        classroom = self._classroom
        return web.json_response(
            {
                "ok": True,
                "pin": classroom.pin,
                "join_url": classroom.join_url,
                "pupils": [
                    pupil.telegram.world.user(pupil.user_id)["first_name"]
                    for pupil in classroom.pupils
                ],
            }
        )

    async def join_qr(self, request: web.Request, chat: PlaygroundChat) -> web.StreamResponse:
        """The join page's address as a QR code, with the PIN in the part after '#'.

        The part after '#' never leaves the pupil's browser: the join page fills the PIN in.
        The code shows nothing the projector does not show anyway.
        """
        link = f"{self._classroom.join_url}#pin={self._classroom.pin}"
        return web.Response(body=qr_png(link), content_type="image/png")

    @property
    def _sessions(self) -> Sessions:
        return self._classroom.sessions


def _see_other(path: str) -> web.Response:
    return web.Response(status=303, headers={"Location": path})


def _refusal(refused: Refused) -> web.Response:
    response = web.json_response(
        {"ok": False, "error": refused.why.value, "reason": refused.why.value},
        status=REFUSAL_STATUS[refused.why],
    )
    if refused.why is Refusal.TOO_MANY:
        response.headers["Retry-After"] = "60"
    return response
