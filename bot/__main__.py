"""Start the bot: ``python -m bot --config config.toml``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.config import ConfigError, load_config
from bot.logsetup import configure_logging
from bot.telegram.webhook import run_webhook

logger = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_STARTUP = 1


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the config and run until stopped."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="TOML file")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(config.telegram.token)
    if config.is_playground:
        # No token: the whole bot on this machine, against an embedded fake Telegram.
        from bot.playground import run as run_playground

        return run_playground(config)
    application = build_application(config)
    telegram = config.telegram
    try:
        if telegram.mode == "webhook":
            # Our own aiohttp server: it serves the drawing canvas next to the webhook.
            run_webhook(application, telegram.webhook)
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(
            "start-up error: Telegram rejected the bot token (check [telegram] token)",
            file=sys.stderr,
        )
        return EXIT_STARTUP
    except NetworkError as exc:
        reason = str(exc).replace(telegram.token, "<token>")
        print(
            f"start-up error: cannot reach the Bot API at {telegram.base_url}: {reason}",
            file=sys.stderr,
        )
        return EXIT_STARTUP
    return 0


if __name__ == "__main__":
    sys.exit(main())
