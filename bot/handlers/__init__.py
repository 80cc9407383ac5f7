"""Telegram handlers: each reads the update, calls one service, and formats the reply.

One module per command or kind of update, named after it; `bot.app` registers them all.
A handler module imports no other handler module: what two of them share lives in the
domain (`bot.samples`, `bot.training`, ...), in `bot.refusals` or in `bot.telegram.replies`.
`guards` run before and after every update, and `errors` answers what no handler caught.
"""

__all__ = [
    "canvas",
    "confusion",
    "contact_sheet",
    "debug",
    "errors",
    "exporting",
    "guards",
    "importing",
    "labelling",
    "membership",
    "relabel",
    "removal",
    "rename",
    "reset",
    "settings",
    "stats",
    "status",
    "taps",
    "trainings",
    "uploads",
    "welcome",
    "why",
]
