"""Run the whole bot on one machine: an embedded fake Telegram, the bot, and a web chat."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from bot.app import BotApplication, build_application
from bot.config import Config
from bot.playground.classroom import Classroom
from bot.playground.fakeserver import SPEC_PATH, FakeTelegram, FloodPolicy
from bot.playground.feed import ChatFeed
from bot.playground.sessions import OnePerson, PlaygroundChat
from bot.playground.web import routes
from bot.telegram.polling import polling

__all__ = [
    "PLAYGROUND_TOKEN",
    "PLAYGROUND_USER_ID",
    "CannotListen",
    "Playground",
    "playground",
    "run",
]

logger = logging.getLogger(__name__)

# A token only the embedded server knows; it never reaches Telegram.
PLAYGROUND_TOKEN = "100000:local-playground"
PLAYGROUND_USER_ID = 1
PLAYGROUND_USER_NAME = "You"
BOT_USERNAME = "SmileyBot"
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}
POLL_TIMEOUT = 10
EXIT_STARTUP = 1


class CannotListen(Exception):
    """The playground's address is taken or not this machine's; the message says which."""


@dataclass
class Playground:
    """A running playground: its server, the bot, and the address to open."""

    telegram: FakeTelegram
    application: BotApplication
    chat: PlaygroundChat  # the one person's; in a class, the teacher's (the class's group)
    url: str  # what a browser on this machine opens, e.g. http://127.0.0.1:8080/
    classroom: Classroom | None = None

    @property
    def teacher_url(self) -> str:
        """Return the teacher's link, with the key that opens the teacher's page."""
        if self.classroom is None:
            raise ValueError("the playground runs no class")
        return f"{self.url}teacher?key={self.classroom.teacher_key}"


def _local_url(host: str, port: int) -> str:
    """Return the URL of the server on this machine (a wildcard address is no URL)."""
    local = ANY_ADDRESS.get(host, host)
    if ":" in local and not local.startswith("["):
        local = f"[{local}]"
    return f"http://{local}:{port}"


@asynccontextmanager
async def playground(config: Config, *, language: str | None = None) -> AsyncIterator[Playground]:
    """Start the embedded Telegram, its web chat and the bot; stop them when the block ends.

    ``language`` overrides ``[playground] language``.
    """
    language = language or config.playground.language
    host, port = config.playground.host, config.playground.port
    # In a class the server is on the school network: a token nobody there can know keeps
    # the Bot API routes (which read and write every chat) to the bot.
    token = _class_token() if config.playground.classroom else PLAYGROUND_TOKEN
    telegram = FakeTelegram(
        token=token,
        # Every request the bot makes is checked against the Bot API spec, as in the tests
        # (a mismatch is logged, the playground goes on).
        spec_path=SPEC_PATH,
        bot_username=BOT_USERNAME,
        flood=FloodPolicy.disabled(),  # one person clicking: Telegram's limits only slow it
        host=host,
        port=port,
    )
    classroom: Classroom | None = None
    if config.playground.classroom:
        classroom = Classroom(telegram, PLAYGROUND_USER_ID, BOT_USERNAME, language=language)
        chat = classroom.teacher
        telegram.add_routes(routes(classroom.sessions, classroom))
    else:
        telegram.add_user(PLAYGROUND_USER_ID, PLAYGROUND_USER_NAME, language_code=language)
        telegram.add_chat(PLAYGROUND_USER_ID)
        chat = PlaygroundChat(
            telegram, PLAYGROUND_USER_ID, ChatFeed(telegram, PLAYGROUND_USER_ID, BOT_USERNAME)
        )
        telegram.add_routes(routes(OnePerson(chat)))
    try:
        await telegram.start()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise CannotListen(f"{host}:{port}: {exc.strerror or exc}") from exc
    try:
        local = _local_url(host, telegram.port)
        bot_config = replace(
            config,
            telegram=replace(
                config.telegram,
                token=token,
                base_url=f"{local}/bot",
                base_file_url=f"{local}/file/bot",
                mode="polling",
            ),
        )
        application = build_application(bot_config)
        async with polling(application, poll_timeout=POLL_TIMEOUT):
            if classroom is not None:
                classroom.join_url = f"{local}/"
                await classroom.open()
            yield Playground(telegram, application, chat, f"{local}/", classroom)
        for problem in telegram.violations:
            logger.warning("the bot broke the Bot API spec: %s", problem)
    finally:
        await telegram.stop()


def _class_token() -> str:
    return f"{PLAYGROUND_TOKEN.partition(':')[0]}:{secrets.token_urlsafe(24)}"


def classroom_banner(running: Playground) -> str:
    """Return the lines that tell the teacher where pupils join, with the PIN, and their link."""
    if running.classroom is None:
        raise ValueError("the playground runs no class")
    return (
        f"Smiley Bot classroom playground (no Telegram): pupils open {running.url} "
        f"and type the PIN {running.classroom.pin}.\n"
        f"Teacher page (keep this link to yourself): {running.teacher_url}"
    )


def banner(url: str) -> str:
    """Return the one line that tells a person where the playground is."""
    return (
        f"Smiley Bot local playground (no Telegram): open {url} in a browser. "
        "Set a bot token to use Telegram instead."
    )


async def _serve(config: Config) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with playground(config) as running:
        host = config.playground.host
        if running.classroom is not None:
            if host in ("127.0.0.1", "localhost", "::1"):
                logger.warning(
                    "the class listens on %s: only this machine reaches it; set [playground] "
                    "host to this machine's address in the school network",
                    host,
                )
            elif host in ANY_ADDRESS:
                logger.warning(
                    "the class listens on every network of this machine: pupils open "
                    "http://<this machine's address>:%d/",
                    running.telegram.port,
                )
            logger.info("class started: PIN %s", running.classroom.pin)
            print(classroom_banner(running), flush=True)
        else:
            if host not in ("127.0.0.1", "localhost", "::1"):
                logger.warning(
                    "the playground listens on %s: anyone who reaches this address can use it",
                    host,
                )
            print(banner(running.url), flush=True)
        await stop.wait()
        logger.info("stopping the playground")


def run(config: Config) -> int:
    """Run the playground until SIGINT or SIGTERM; return the exit code (1: cannot listen)."""
    # One access-log line per request would bury the bot's own log: the page polls twice a
    # second and the bot long-polls the embedded server.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        asyncio.run(_serve(config))
    except CannotListen as exc:
        print(
            f"start-up error: the playground cannot listen on {exc} "
            f"(set [playground] host and port in {config.source})",
            file=sys.stderr,
        )
        return EXIT_STARTUP
    return 0
