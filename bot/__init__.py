"""The Telegram side of Smiley Bot: it uses `model` and `storage`, and they never use it.

`python -m bot` runs it (`__main__`); `app` wires the Application from the `config` in one
place, and `services` is the typed home of what the handlers use. The rest is grouped by
what it owns:

- `handlers/`: one thin module per command or kind of update; none imports another.
- `samples/`: an image from a message to a stored sample, /label, and the answer to it.
- `labels/`: label names and the one-tap correction buttons.
- `training/`: the queue of trainings, the worker process, reports, pictures, parameters.
- `exchange/`: a chat's dataset as a zip, and its model as files to take away.
- `chats/`: who administers a group, and the data of chats that left.
- `telegram/`: talking to the Bot API: pacing, update order, replies, webhook, polling.
- `texts/`: every user-facing text, in English and German.
- `webapp/`: the drawing canvas (a Mini App) and its data format.
- `playground/`: the bot on one machine without Telegram, with the fake Bot API server.

`refusals` maps what goes wrong for a user to the reply, and `backup` is the command that
backs the database up while the bot runs (`python -m bot.backup`).
"""

__all__ = [
    "app",
    "backup",
    "chats",
    "config",
    "exchange",
    "handlers",
    "labels",
    "playground",
    "refusals",
    "samples",
    "services",
    "telegram",
    "texts",
    "training",
    "webapp",
]
