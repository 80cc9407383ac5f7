"""``python -m bot`` as a user runs it: a real process against the fake server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.fakeserver import FakeTelegram
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
