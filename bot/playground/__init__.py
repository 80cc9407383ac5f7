"""The local playground: the whole bot on one machine, with no Telegram account.

With no bot token configured, ``python -m bot`` starts the fake Telegram of the tests
(``bot.fakeserver``) on ``[playground] host:port``, runs the real bot against it, and
serves a web chat at ``/`` where one person ("You") talks to the bot: commands, uploads,
buttons, and the drawing canvas (``bot/webapp/static``, embedded in the page).

Layout: ``runner`` (start and stop everything), ``web`` (the pages and the JSON API),
``feed`` (what changed in the chat since the page last looked), ``static/`` (the page).
"""

from bot.playground.runner import PLAYGROUND_USER_ID, Playground, banner, playground, run

__all__ = ["PLAYGROUND_USER_ID", "Playground", "banner", "playground", "run"]
