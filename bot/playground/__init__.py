"""The local playground: the whole bot on one machine, with no Telegram account.

With no bot token configured, ``python -m bot`` starts the fake Telegram Bot API server
(``fakeserver``, the one the tests run the bot against) on ``[playground] host:port``,
runs the real bot against it, and serves a web chat at ``/`` where one person ("You")
talks to the bot: commands, uploads, buttons, and the drawing canvas
(``bot/webapp/static``, embedded in the page).

With ``[playground] classroom = true`` it serves a class on the school network instead:
pupils join with a PIN and a first name, each with a chat of their own, and the teacher's
page shows the class's group chat (``classroom``, ``sessions``).

Layout: ``runner`` (start and stop everything), ``web`` (the pages and the JSON API),
``feed`` (what changed in the chat since the page last looked), ``sessions`` (whose chat a
request is), ``classroom`` (the class through the fake Telegram), ``static/`` (the pages),
``fakeserver/`` (the Bot API server) and ``telegram_api/`` (the Bot API 10.0 specification
it checks every request against, MIT).
"""

from bot.playground.runner import (
    PLAYGROUND_USER_ID,
    Playground,
    banner,
    classroom_banner,
    playground,
    run,
)

__all__ = ["PLAYGROUND_USER_ID", "Playground", "banner", "classroom_banner", "playground", "run"]
