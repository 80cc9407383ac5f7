"""Webhook mode: our aiohttp server feeds posted updates to the bot and serves the canvas."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.app import build_application
from bot.config import Config, WebhookConfig
from bot.playground.fakeserver import FakeTelegram
from bot.telegram.webhook import SECRET_HEADER, WebhookServer, serving
from bot.webapp import STATIC_DIR
from tests.bot.conftest import ALICE, answer

SECRET = "s3cret-token"
PUBLIC_URL = "https://smiley.example/telegram/hook"


@pytest.fixture
async def server(config: Config) -> AsyncIterator[WebhookServer]:
    """The bot in webhook mode on a free port, against the fake Bot API server."""
    webhook = WebhookConfig(
        listen="127.0.0.1", port=0, url=PUBLIC_URL, url_path="telegram/hook", secret_token=SECRET
    )
    config = replace(config, telegram=replace(config.telegram, mode="webhook", webhook=webhook))
    async with serving(build_application(config), webhook) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def url(server: WebhookServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def update_for(telegram: FakeTelegram, message: dict[str, Any]) -> dict[str, Any]:
    """Return the update Telegram would post for ``message`` (the fake queued it)."""
    for update in telegram.pending_updates:
        if update.get("message", {}).get("message_id") == message["message_id"]:
            return update
    raise AssertionError(f"no pending update for message {message['message_id']}")


async def test_the_webhook_is_registered_with_the_secret_and_every_update_type(
    telegram: FakeTelegram, server: WebhookServer
) -> None:
    call = await telegram.wait_for(lambda call: call.method == "setWebhook")
    assert call.params["url"] == PUBLIC_URL
    assert call.params["secret_token"] == SECRET
    assert "message" in call.params["allowed_updates"]
    assert "callback_query" in call.params["allowed_updates"]


async def test_an_update_posted_as_telegram_does_is_answered(
    telegram: FakeTelegram, server: WebhookServer, session: aiohttp.ClientSession
) -> None:
    message = telegram.send_text(ALICE, ALICE, "/start")
    response = await session.post(
        url(server, "/telegram/hook"),
        json=update_for(telegram, message),
        headers={SECRET_HEADER: SECRET},
    )
    assert response.status == 200
    assert (await answer(telegram, message)).startswith("Hi Alice")


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x"])
async def test_a_post_without_the_right_secret_is_refused_and_not_handled(
    telegram: FakeTelegram,
    server: WebhookServer,
    session: aiohttp.ClientSession,
    secret: str | None,
) -> None:
    message = telegram.send_text(ALICE, ALICE, "/start")
    headers = {} if secret is None else {SECRET_HEADER: secret}
    response = await session.post(
        url(server, "/telegram/hook"), json=update_for(telegram, message), headers=headers
    )
    assert response.status == 403
    await asyncio.sleep(0.3)
    assert telegram.bot_messages(ALICE) == []


async def test_a_post_that_is_no_update_is_a_bad_request(
    server: WebhookServer, session: aiohttp.ClientSession
) -> None:
    for body in (b"not json", b"[1, 2]"):
        response = await session.post(
            url(server, "/telegram/hook"), data=body, headers={SECRET_HEADER: SECRET}
        )
        assert response.status == 400


async def test_the_canvas_page_and_its_scripts_are_served(
    server: WebhookServer, session: aiohttp.ClientSession
) -> None:
    for name in ("draw.html", "draw.js", "encoding.js", "draw.css"):
        response = await session.get(url(server, f"/webapp/{name}"))
        assert response.status == 200, name
        assert await response.read() == (STATIC_DIR / name).read_bytes()
    page = await session.get(url(server, "/webapp/draw.html?labels=smile,sad&lang=de"))
    assert page.status == 200 and page.content_type == "text/html"
    assert (await session.get(url(server, "/webapp/../webserver.py"))).status in (403, 404)
    assert (await session.get(url(server, "/webapp/nothing.html"))).status == 404
    assert (await session.get(url(server, "/telegram/hook"))).status == 405


@pytest.fixture
async def unconfigured(config: Config) -> AsyncIterator[WebhookServer]:
    """The bot in webhook mode with no secret token configured (the example config's)."""
    webhook = WebhookConfig(listen="127.0.0.1", port=0, url=PUBLIC_URL, url_path="telegram/hook")
    config = replace(config, telegram=replace(config.telegram, mode="webhook", webhook=webhook))
    async with serving(build_application(config), webhook) as running:
        yield running


async def test_without_a_configured_secret_a_random_one_is_registered_and_required(
    telegram: FakeTelegram, unconfigured: WebhookServer, session: aiohttp.ClientSession
) -> None:
    call = await telegram.wait_for(lambda call: call.method == "setWebhook")
    secret = call.params["secret_token"]
    assert secret == unconfigured.secret_token and len(secret) >= 40
    # A forged update, as someone who found the URL would post it: the admin's own id.
    forged = telegram.send_text(ALICE, ALICE, "/reset")
    response = await session.post(
        url(unconfigured, "/telegram/hook"), json=update_for(telegram, forged)
    )
    assert response.status == 403
    await asyncio.sleep(0.3)
    assert telegram.bot_messages(ALICE) == []
    # Telegram, which knows the secret, is heard.
    message = telegram.send_text(ALICE, ALICE, "/start")
    response = await session.post(
        url(unconfigured, "/telegram/hook"),
        json=update_for(telegram, message),
        headers={SECRET_HEADER: secret},
    )
    assert response.status == 200
    assert (await answer(telegram, message)).startswith("Hi Alice")
