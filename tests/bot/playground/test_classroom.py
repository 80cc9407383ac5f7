"""The classroom playground: pupils join with the PIN, the teacher's page is the class's group."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Config
from bot.playground import Playground, classroom_banner, playground
from bot.playground.sessions import COOKIE_NAME
from tests.bot.playground.test_playground import ROOT, WebChat, bot_text, playground_config
from tests.bot.test_main import free_port
from tests.bot.training.test_queue import TRAINING_TIMEOUT

Smiley = Callable[..., bytes]
# Every route of the chat's API, and what a browser without a session sends to it.
CHAT_ROUTES = [
    ("GET", "/api/state"),
    ("GET", "/api/events?after=0&wait=0"),
    ("GET", "/api/labels"),
    ("GET", "/api/files/any"),
    ("GET", "/api/class"),
    ("GET", "/api/class/qr.png"),
    ("GET", "/webapp/draw.html"),
    ("GET", "/static/chat.js"),
    ("POST", "/api/send"),
    ("POST", "/api/upload"),
    ("POST", "/api/press"),
    ("POST", "/api/web_app_data"),
    ("POST", "/api/language"),
]


def classroom_config(tmp_path: Path) -> Config:
    config = playground_config(tmp_path)
    return dataclasses.replace(
        config, playground=dataclasses.replace(config.playground, classroom=True)
    )


def browser() -> aiohttp.ClientSession:
    """One browser: its own cookies (for 127.0.0.1 too, which aiohttp skips by default)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Playground]:
    async with playground(classroom_config(tmp_path)) as started:
        yield started
        assert started.telegram.violations == []


async def join(
    session: aiohttp.ClientSession, url: str, pin: str, name: str, *, status: int = 200
) -> dict[str, Any]:
    body = {"pin": pin, "name": name, "language": "en"}
    async with session.post(url + "api/join", json=body) as response:
        assert response.status == status, await response.text()
        result: dict[str, Any] = await response.json()
        return result


async def pupil(session: aiohttp.ClientSession, running: Playground, name: str) -> WebChat:
    assert running.classroom is not None
    await join(session, running.url, running.classroom.pin, name)
    return WebChat(session, running.url)


async def teacher(session: aiohttp.ClientSession, running: Playground) -> WebChat:
    async with session.get(running.teacher_url, allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/teacher"
        cookie = response.cookies[COOKIE_NAME]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
    async with session.get(running.url + "teacher") as response:
        assert response.status == 200
        assert "Teacher page" in await response.text()
    return WebChat(session, running.url)


async def test_without_a_session_only_the_join_page_is_served(running: Playground) -> None:
    assert running.classroom is not None
    banner = classroom_banner(running)
    assert f"type the PIN {running.classroom.pin}" in banner
    assert running.teacher_url in banner
    async with browser() as stranger:
        async with stranger.get(running.url) as response:
            assert response.status == 200
            assert "Join the class" in await response.text()
        for name in ("join.js", "chat.css"):
            async with stranger.get(f"{running.url}static/{name}") as response:
                assert response.status == 200, name
        for method, path in CHAT_ROUTES:
            async with stranger.request(
                method, running.url + path.lstrip("/"), json={}
            ) as response:
                assert response.status == 401, (method, path)
        async with stranger.get(running.url + "teacher") as response:
            assert response.status == 403
        async with stranger.get(running.url + "teacher?key=guess") as response:
            assert response.status == 403
        # The Bot API's token is no longer the well-known one.
        async with stranger.get(running.url + "bot100000:local-playground/getMe") as response:
            assert response.status == 401
    # A pupil is somebody, but not the teacher.
    async with browser() as session:
        chat = await pupil(session, running, "Ann")
        for path in ("/api/class", "/api/class/qr.png"):
            async with session.get(chat.url + path) as response:
                assert response.status == 403, path
        async with session.get(chat.url + "/teacher") as response:
            assert response.status == 403


async def test_a_wrong_pin_is_refused_and_guessing_is_stopped(running: Playground) -> None:
    assert running.classroom is not None
    pin = running.classroom.pin
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    async with browser() as session:
        for _ in range(running.classroom.limiter.failures):
            assert (await join(session, running.url, wrong, "Eve", status=403))["reason"] == "wrong"
        assert session.cookie_jar.filter_cookies(running.url).get(COOKIE_NAME) is None
        # Now even the right PIN waits: a guesser cannot tell it was right.
        refused = await join(session, running.url, pin, "Eve", status=429)
        assert refused["reason"] == "too_many"
    assert running.classroom.pupils == []
    async with browser() as session:
        await join(session, running.url, "", "Eve", status=429)  # the same address


async def test_a_name_is_needed(running: Playground) -> None:
    assert running.classroom is not None
    async with browser() as session:
        for name in ("", "   ", "x" * 33, "Ann\u202e"):
            result = await join(session, running.url, running.classroom.pin, name, status=400)
            assert result["reason"] == "name"
        big = {"pin": running.classroom.pin, "name": "A" * 2000}
        async with session.post(running.url + "api/join", json=big) as response:
            assert response.status == 413


async def test_two_pupils_draw_and_the_teacher_trains_the_class(
    running: Playground, smiley: Smiley
) -> None:
    async with browser() as teacher_browser, browser() as ann_browser, browser() as ben_browser:
        class_chat = await teacher(teacher_browser, running)
        await class_chat.send("/set epochs 2")
        ann = await pupil(ann_browser, running, "Ann")
        ben = await pupil(ben_browser, running, "Ben")
        for chat, name in ((ann, "Ann"), (ben, "Ben")):
            await chat.wait_for(bot_text(0, f"Welcome to the class, {name}!"))
        state = await (await teacher_browser.get(running.url + "api/class")).json()
        assert state["pin"] == running.classroom.pin if running.classroom else False
        assert state["pupils"] == ["Ann", "Ben"]
        async with teacher_browser.get(running.url + "api/class/qr.png") as response:
            assert response.status == 200
            assert (await response.read()).startswith(b"\x89PNG")

        uploads = {}
        for chat, label in ((ann, "smile"), (ben, "sad")):
            for _ in range(5):
                sent = await chat.upload(smiley(label), caption=f"/label {label}")
                await chat.wait_for(lambda m, sent=sent: m["id"] == sent and "reactions" in m)
            uploads[label] = sent

        # Each browser sees only its own chat, and only its own chat's files.
        await ann.poll()
        await ben.poll()
        assert all("Ben" not in (m.get("text") or "") for m in ann.messages.values())
        assert all("sad" not in (m.get("caption") or "") for m in ann.messages.values())
        assert all("smile" not in (m.get("caption") or "") for m in ben.messages.values())
        bens_photo = ben.messages[uploads["sad"]]["photo"]["url"]
        async with ann_browser.get(running.url + bens_photo.lstrip("/")) as response:
            assert response.status == 404
        async with ben_browser.get(running.url + bens_photo.lstrip("/")) as response:
            assert response.status == 200

        # The teacher's page shows the class's live tally, drawn by both.
        tally = await class_chat.wait_for(
            lambda m: "Ready: an admin can send /train." in (m.get("text") or "")
        )
        assert "pupils who joined: 2 · who have drawn: 2" in tally["text"]
        assert "• sad: 5" in tally["text"] and "• smile: 5" in tally["text"]

        # The Train button sends /train to the group, as the teacher.
        train = await class_chat.send("/train")
        report = await class_chat.wait_for(
            lambda m: m["id"] > train and "Training finished" in (m.get("text") or ""),
            timeout=TRAINING_TIMEOUT,
        )
        assert "10 samples" in report["text"]


async def test_pupils_join_the_class_the_teacher_started_last(running: Playground) -> None:
    async with browser() as teacher_browser, browser() as ann_browser, browser() as ben_browser:
        class_chat = await teacher(teacher_browser, running)
        ended = await class_chat.send("/classroom end keep")
        await class_chat.wait_for(bot_text(ended, "The class has ended"))
        ann = await pupil(ann_browser, running, "Ann")
        await ann.wait_for(bot_text(0, "This class has ended"))
        started = await class_chat.send("/classroom")
        await class_chat.wait_for(bot_text(started, "The class has started"))
        ben = await pupil(ben_browser, running, "Ben")
        await ben.wait_for(bot_text(0, "Welcome to the class, Ben!"))


async def test_python_m_bot_prints_the_pin_and_the_teachers_link(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(f"[playground]\nport = {port}\nclassroom = true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SMILEY_BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(config)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        second = (await asyncio.wait_for(process.stdout.readline(), timeout=5)).decode()
        url = f"http://127.0.0.1:{port}/"
        pin = re.fullmatch(
            rf"Smiley Bot classroom playground \(no Telegram\): pupils open {re.escape(url)} "
            r"and type the PIN (\d{6})\.\n",
            first,
        )
        assert pin is not None, first
        teacher_link = re.fullmatch(
            rf"Teacher page \(keep this link to yourself\): ({re.escape(url)}teacher\?key=\S+)\n",
            second,
        )
        assert teacher_link is not None, second
        async with browser() as session:
            async with session.get(url) as response:
                assert "Join the class" in await response.text()
            async with session.get(teacher_link.group(1)) as response:
                assert response.status == 200
                assert "Teacher page" in await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert f"class started: PIN {pin.group(1)}" in log
    assert "key=" not in log  # the teacher's key is printed for the teacher, never logged
    assert "only this machine reaches it" in log


async def test_a_german_teacher_gets_the_class_in_german(tmp_path: Path) -> None:
    config = classroom_config(tmp_path)
    german = dataclasses.replace(config.playground, language="de")
    async with (
        playground(dataclasses.replace(config, playground=german)) as running,
        browser() as session,
    ):
        class_chat = await teacher(session, running)
        await class_chat.wait_for(bot_text(0, "🏫 Die Klasse · beigetreten: 0 "))
        state = await class_chat.get("/api/state")
        assert (state["language"], state["classroom"], state["teacher"]) == ("de", True, True)
