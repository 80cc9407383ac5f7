"""Webhook mode on our own aiohttp server: Telegram's updates, and the drawing canvas page.

PTB's built-in webhook server (``run_webhook``) serves the webhook and nothing else, but
the canvas must be served from a public HTTPS address too. So, as PTB's
``customwebhookbot`` examples do, the Application runs without its Updater and this server
puts each update that Telegram posts on ``application.update_queue``:

- ``POST /<[telegram.webhook] url_path>``: one Update as JSON, only from requests that carry
  the secret token in ``X-Telegram-Bot-Api-Secret-Token``. Without one configured, a random
  one is made at every start and registered with setWebhook: a server that took any POST
  would let whoever finds the URL pose as Telegram, even as a group's admin, since the
  admin checks trust the update's user id;
- ``GET /webapp/...``: the static files of bot/webapp/static (the canvas is draw.html).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
import secrets
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import WebhookConfig
from bot.webapp import STATIC_DIR

__all__ = [
    "SECRET_HEADER",
    "WEBAPP_PREFIX",
    "WebhookServer",
    "run_webhook",
    "serving",
    "with_secret",
]

logger = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
WEBAPP_PREFIX: Final = "/webapp"
# Telegram's updates are small; a big body is no update (a photo arrives as a file id).
MAX_UPDATE_BYTES: Final = 1024 * 1024
# Telegram allows 1 to 256 of A-Z, a-z, 0-9, _ and -: 32 random bytes are 43 of them.
_GENERATED_SECRET_BYTES: Final = 32

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class WebhookServer:
    """An aiohttp server that feeds Telegram's updates to ``application`` and serves the page."""

    def __init__(
        self, application: AnyApplication, webhook: WebhookConfig, static_dir: Path = STATIC_DIR
    ) -> None:
        """Serve ``webhook``; one without a secret token gets a random one (``secret_token``)."""
        self._application = application
        self._webhook = with_secret(webhook)
        self._static_dir = static_dir
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the bound port, once started

    @property
    def secret_token(self) -> str:
        """Return the secret every post must carry (configured, or made at this start)."""
        return self._webhook.secret_token

    @property
    def path(self) -> str:
        """Return the route Telegram posts to, e.g. ``/hook`` for ``url_path = "hook"``."""
        return "/" + self._webhook.url_path.strip("/")

    def web_app(self) -> web.Application:
        """Return the aiohttp application with both routes."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._receive)
        app.router.add_static(WEBAPP_PREFIX, self._static_dir, follow_symlinks=False)
        return app

    async def start(self) -> None:
        """Listen on ``[telegram.webhook] listen`` and ``port`` (0: a free port)."""
        runner = web.AppRunner(self.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._webhook.listen, self._webhook.port)
        await site.start()
        self._runner = runner
        self.port = _bound_port(runner, self._webhook.port)
        logger.info("webhook server listening on port %s, updates at %s", self.port, self.path)

    async def stop(self) -> None:
        """Stop listening; updates already queued are still handled by the Application."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        secret = self._webhook.secret_token
        # Without the secret anyone who guesses the path could pose as Telegram.
        if not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, "").encode(), secret.encode()
        ):
            logger.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            data = await request.json(loads=json.loads)
            update = Update.de_json(data, self._application.bot)
        except Exception:  # not JSON, or JSON that is no Update
            logger.warning("webhook request with a body that is no update refused")
            return web.Response(status=400)
        # Answer at once: the handlers run in the Application, not in this request.
        await self._application.update_queue.put(update)
        return web.Response()


@asynccontextmanager
async def serving(
    application: AnyApplication, webhook: WebhookConfig, *, static_dir: Path = STATIC_DIR
) -> AsyncIterator[WebhookServer]:
    """Run ``application`` behind a ``WebhookServer`` in the order ``run_webhook`` uses.

    Registers ``webhook.url`` with Telegram (with the secret token and every update type)
    once the server listens, and stops everything in reverse order.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    server = WebhookServer(application, webhook, static_dir)
    try:
        await server.start()
        try:
            await application.bot.set_webhook(
                url=webhook.url,
                secret_token=server.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
            await application.start()
            try:
                yield server
            finally:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
        finally:
            await server.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def with_secret(webhook: WebhookConfig) -> WebhookConfig:
    """Return ``webhook`` with its secret token, or a fresh random one where it has none."""
    if webhook.secret_token:
        return webhook
    generated = secrets.token_urlsafe(_GENERATED_SECRET_BYTES)
    logger.info("no [telegram.webhook] secret_token configured: made a random one for this run")
    return dataclasses.replace(webhook, secret_token=generated)


def run_webhook(application: AnyApplication, webhook: WebhookConfig) -> None:
    """Serve until SIGINT or SIGTERM (``python -m bot`` in webhook mode)."""
    asyncio.run(_serve_until_stopped(application, webhook))


async def _serve_until_stopped(application: AnyApplication, webhook: WebhookConfig) -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stopped.set)
    async with serving(application, webhook):
        await stopped.wait()


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return configured
