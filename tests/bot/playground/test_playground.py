"""The local playground: the real bot against the embedded server, driven by the web chat's API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Config, PlaygroundConfig, StorageConfig, TelegramConfig
from bot.playground import PLAYGROUND_USER_ID, Playground, playground
from tests.bot.conftest import TEST_TRAINING
from tests.bot.test_main import free_port

ROOT = Path(__file__).resolve().parents[3]
Event = dict[str, Any]


def playground_config(tmp_path: Path, *, port: int = 0) -> Config:
    """A config with no token (the playground) and its data in tmp_path."""
    return Config(
        telegram=TelegramConfig(token=""),
        storage=StorageConfig(database=tmp_path / "smiley.sqlite3", models_dir=tmp_path / "models"),
        training=TEST_TRAINING,
        playground=PlaygroundConfig(host="127.0.0.1", port=port),
        source=tmp_path / "config.toml",
    )


class WebChat:
    """What the page does, through the same JSON API, and what it has seen so far."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url.rstrip("/")
        self.revision = 0
        self.messages: dict[int, Event] = {}
        self.keyboard: Any = None

    async def get(self, path: str) -> Any:
        async with self.session.get(self.url + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: dict[str, Any], *, status: int = 200) -> Any:
        async with self.session.post(self.url + path, json=body) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def send(self, text: str) -> int:
        return int((await self.post("/api/send", {"text": text}))["message_id"])

    async def upload(self, data: bytes, caption: str | None = None) -> int:
        form = aiohttp.FormData()
        form.add_field("file", data, filename="smiley.png", content_type="image/png")
        if caption is not None:
            form.add_field("caption", caption)
        async with self.session.post(self.url + "/api/upload", data=form) as response:
            body = await response.json()
            assert response.status == 200, body
            return int(body["message_ids"][0])

    async def poll(self) -> list[Event]:
        """One long poll, as the page makes it; return the changed messages."""
        result = await self.get(f"/api/events?after={self.revision}&wait=1")
        assert result["revision"] >= self.revision
        self.revision = result["revision"]
        if "keyboard" in result:
            self.keyboard = result["keyboard"]
        for message in result["messages"]:
            self.messages[message["id"]] = message
        return list(result["messages"])

    async def wait_for(self, match: Callable[[Event], bool], timeout: float = 15.0) -> Event:  # noqa: ASYNC109
        """Poll until a message the page would show matches; return it."""
        async with asyncio.timeout(timeout):
            while True:
                found = [m for m in self.messages.values() if match(m)]
                if found:
                    return found[-1]
                await self.poll()


def bot_text(after: int, contains: str = "") -> Callable[[Event], bool]:
    return lambda m: (
        m["sender"] == "bot"
        and m["id"] > after
        and contains in (m.get("text") or m.get("caption") or "")
    )


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Playground]:
    async with playground(playground_config(tmp_path)) as started:
        yield started
        assert started.telegram.violations == []


@pytest.fixture
async def chat(running: Playground) -> AsyncIterator[WebChat]:
    async with aiohttp.ClientSession() as session:
        yield WebChat(session, running.url)


async def test_start_reply_appears_in_the_events(chat: WebChat) -> None:
    state = await chat.get("/api/state")
    assert state["chat_id"] == PLAYGROUND_USER_ID
    assert state["user"]["name"] == "You"
    sent = await chat.send("/start")
    reply = await chat.wait_for(bot_text(sent, "Hi You"))
    assert chat.messages[sent]["sender"] == "user"
    assert chat.messages[sent]["text"] == "/start"
    assert reply["id"] > sent


async def test_an_uploaded_smiley_gets_a_prediction_and_a_button_press_edits_it(
    chat: WebChat, smiley: Callable[..., bytes]
) -> None:
    sent = await chat.upload(smiley("smile"))
    uploaded = chat.messages.get(sent) or await chat.wait_for(lambda m: m["id"] == sent)
    # The photo the page shows is served from the stored bytes.
    async with chat.session.get(chat.url + uploaded["photo"]["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/jpeg"
        assert (await response.read())[:2] == b"\xff\xd8"
    prediction = await chat.wait_for(lambda m: m["sender"] == "bot" and "buttons" in m)
    assert "%" in prediction["text"]
    button = next(b for row in prediction["buttons"] for b in row if b["text"] == "sad")
    pressed = await chat.post(
        "/api/press", {"message_id": prediction["id"], "data": button["data"]}
    )
    assert pressed["answer"] is not None and "sad" in pressed["answer"]["text"]
    edited = await chat.wait_for(lambda m: m["id"] == prediction["id"] and m.get("edited", False))
    assert edited["text"] != prediction["text"]
    assert "sad" in edited["text"]
    # The tapped label is now one the canvas offers.
    assert "sad" in (await chat.get("/api/labels"))["labels"]


async def test_a_caption_labels_the_upload_and_the_label_reaches_the_canvas(
    chat: WebChat, smiley: Callable[..., bytes]
) -> None:
    labels = (await chat.get("/api/labels"))["labels"]
    assert labels[:4] == ["smile", "sad", "neutral", "upside-down"]
    assert "wink" not in labels
    sent = await chat.upload(smiley("smile"), caption="/label wink")
    await chat.wait_for(lambda m: m["id"] == sent and bool(m.get("reactions")))
    assert "wink" in (await chat.get("/api/labels"))["labels"]


async def test_web_app_data_reaches_the_bot_as_telegram_delivers_it(
    running: Playground, chat: WebChat
) -> None:
    payload = json.dumps({"v": 1, "a": "p", "l": "", "s": 128, "b": "AAAA"})
    sent = (await chat.post("/api/web_app_data", {"data": payload}))["message_id"]
    delivered = await running.telegram.wait_for(
        lambda call: (
            call.method == "getUpdates"
            and any(
                update.get("message", {}).get("message_id") == sent
                for update in (call.result or [])
            )
        )
    )
    update = next(u for u in delivered.result if u.get("message", {}).get("message_id") == sent)
    message = update["message"]
    assert message["web_app_data"] == {"data": payload, "button_text": "Draw"}
    assert message["from"]["id"] == PLAYGROUND_USER_ID
    assert "text" not in message
    shown = await chat.wait_for(lambda m: m["id"] == sent)
    assert shown["web_app_data"] == {"button_text": "Draw"}


async def test_the_language_switch_changes_the_bots_language(chat: WebChat) -> None:
    await chat.post("/api/language", {"language": "de"})
    sent = await chat.send("/start")
    await chat.wait_for(bot_text(sent, "Hallo You"))
    refused = await chat.post("/api/language", {"language": "xx"}, status=400)
    assert refused["ok"] is False


async def test_mistakes_get_a_clear_error_and_files_stay_in_their_folder(chat: WebChat) -> None:
    assert (await chat.post("/api/send", {"text": "  "}, status=400))["error"]
    assert (await chat.post("/api/press", {"message_id": 999, "data": "x"}, status=404))["error"]
    form = aiohttp.FormData()
    form.add_field("file", b"not a picture", filename="a.png", content_type="image/png")
    async with chat.session.post(chat.url + "/api/upload", data=form) as response:
        assert response.status == 400
        assert "photo" in (await response.json())["error"]
    for path in ("/static/..%2F..%2Fconfig.py", "/static/.hidden", "/api/files/nope"):
        async with chat.session.get(chat.url + path) as response:
            assert response.status == 404, path
    async with chat.session.get(chat.url + "/") as response:
        assert response.status == 200
        assert "local playground" in (await response.text()).lower()


async def start_without_token(tmp_path: Path, port: int) -> asyncio.subprocess.Process:
    """Start ``python -m bot`` with no token anywhere, its playground on ``port``."""
    config = tmp_path / "config.toml"
    config.write_text(f"[playground]\nport = {port}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SMILEY_BOT_TOKEN"}
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(config)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_python_m_bot_without_a_token_starts_the_playground(tmp_path: Path) -> None:
    port = free_port()
    process = await start_without_token(tmp_path, port)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        url = f"http://127.0.0.1:{port}/"
        assert line.strip() == (
            f"Smiley Bot local playground (no Telegram): open {url} in a browser. "
            "Set a bot token to use Telegram instead."
        )
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200
            assert "Smiley Bot" in await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    assert (tmp_path / "data" / "smiley.sqlite3").exists()
    log = stderr.decode()
    assert "bot @SmileyBot is ready" in log
    assert "aiohttp.access" not in log  # no line per request: the log stays readable


async def test_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await start_without_token(tmp_path, port)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in stderr.decode()
    assert "Traceback" not in stderr.decode()
