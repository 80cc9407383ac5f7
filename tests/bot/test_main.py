"""``python -m bot`` as a user runs it: a real process against the fake server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, answer

ROOT = Path(__file__).resolve().parents[2]


async def test_the_bot_process_serves_and_never_logs_its_token(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{telegram.base_url}"\n'
        f'base_file_url = "{telegram.base_file_url}"\n'
        '[storage]\ndatabase = "data/bot.sqlite3"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "SMILEY_BOT_TOKEN": telegram.token}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await telegram.wait_polling(timeout=60)
        reply = await answer(telegram, telegram.send_text(ALICE, ALICE, "/start"))
        assert reply.startswith("Hi Alice")
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = (stdout + stderr).decode()
    assert process.returncode == 0, log
    assert "is ready" in log
    assert telegram.token not in log
    assert telegram.token.split(":")[1] not in log
    assert (tmp_path / "data" / "bot.sqlite3").exists()  # relative to the config file


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_listening(port: int) -> None:
    """Wait until something accepts connections on the port."""
    async with asyncio.timeout(30):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
            else:
                writer.close()
                await writer.wait_closed()
                return


async def test_webhook_mode_registers_the_webhook_and_serves_posted_updates(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{telegram.base_url}"\n'
        f'base_file_url = "{telegram.base_file_url}"\nmode = "webhook"\n'
        f'[telegram.webhook]\nlisten = "127.0.0.1"\nport = {port}\nurl_path = "hook"\n'
        'url = "https://smiley.example/hook"\nsecret_token = "s3cret"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "SMILEY_BOT_TOKEN": telegram.token}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(config)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        registered = await telegram.wait_for(lambda call: call.method == "setWebhook", timeout=60)
        assert registered.params["url"] == "https://smiley.example/hook"
        await wait_listening(port)
        message = telegram.send_text(ALICE, ALICE, "/start")
        update = {"update_id": 1, "message": message}
        async with aiohttp.ClientSession() as session:
            wrong = await session.post(f"http://127.0.0.1:{port}/hook", json=update)
            assert wrong.status == 403  # without Telegram's secret header
            posted = await session.post(
                f"http://127.0.0.1:{port}/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
            )
            assert posted.status == 200
        assert (await answer(telegram, message)).startswith("Hi Alice")
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, (stdout + stderr).decode()
