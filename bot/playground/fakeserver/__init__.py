"""A fake Telegram Bot API server: run the bot against it locally, with no Telegram account.

Usage::

    async with FakeTelegram(spec_path=SPEC_PATH) as telegram:
        app = (ApplicationBuilder().token(telegram.token)
               .base_url(telegram.base_url).base_file_url(telegram.base_file_url).build())
        ...  # start polling
        telegram.send_text(42, 42, "/start")          # user 42 writes in their private chat
        reply = await telegram.wait_for_message(42)   # what the bot answered
        assert telegram.violations == []              # every request matched the spec

Layout: ``state`` (chats, messages, users; no HTTP), ``incoming`` (what users do),
``api_*`` (Bot API methods), ``dispatch`` (token, spec, faults, recording), ``server``
(aiohttp routes), ``fake`` (the ``FakeTelegram`` facade), plus helpers: ``spec``,
``params``, ``flood``, ``media``, ``files``, ``formatting``, ``updates``, ``calls``.

Public API: ``FakeTelegram`` (the server and its Python controls), ``FloodPolicy`` (rate
limits), ``ApiCall`` (one recorded request), ``StoredFile`` (one stored file) and
``SPEC_PATH`` (the Bot API specification it checks requests against).
"""

from .calls import ApiCall
from .fake import FakeTelegram
from .files import StoredFile
from .flood import FloodPolicy
from .spec import SPEC_PATH

__all__ = ["SPEC_PATH", "ApiCall", "FakeTelegram", "FloodPolicy", "StoredFile"]
