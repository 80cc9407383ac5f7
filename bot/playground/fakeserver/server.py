"""The HTTP side: an aiohttp app serving ``/bot<token>/<method>`` and file downloads."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from .dispatch import Dispatcher
from .error_replies import HTTP_BAD_REQUEST, ApiError, not_found, unauthorized
from .faults import DOWNLOAD
from .files import FileStore
from .params import Upload

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 60 * 1024 * 1024  # above Telegram's 50 MB upload limit, so it can refuse
SHUTDOWN_TIMEOUT_SECONDS = 1.0
_DISPATCHER = web.AppKey("dispatcher", Dispatcher)
_FILES = web.AppKey("files", FileStore)


def build_app(dispatcher: Dispatcher, files: FileStore) -> web.Application:
    """Return the aiohttp application of the fake Bot API."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[_DISPATCHER] = dispatcher
    app[_FILES] = files
    app.router.add_route("GET", "/bot{token}/{method}", _method_route)
    app.router.add_route("POST", "/bot{token}/{method}", _method_route)
    app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", _file_route)
    return app


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def _method_route(request: web.Request) -> web.Response:
    raw: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    body_error: ApiError | None = None
    try:
        raw, uploads = await _read_parameters(request)
    except ApiError as exc:
        body_error = exc

    def connected() -> bool:
        transport = request.transport
        return transport is not None and not transport.is_closing()

    status, body = await request.app[_DISPATCHER].handle(
        request.match_info["token"],
        request.match_info["method"],
        raw,
        uploads,
        connected=connected,
        body_error=body_error,
    )
    return _json_response(status, body)


async def _read_parameters(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Read parameters from the query string and a JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.can_read_body:
        return raw, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(HTTP_BAD_REQUEST, "Bad Request: can't parse JSON") from exc
        if not isinstance(body, dict):
            raise ApiError(HTTP_BAD_REQUEST, "Bad Request: request body must be a JSON object")
        raw.update(body)
        return raw, uploads
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = Upload(name, value.filename, value.content_type, value.file.read())
        else:
            raw[name] = value
    return raw, uploads


async def _file_route(request: web.Request) -> web.StreamResponse:
    dispatcher = request.app[_DISPATCHER]
    if request.match_info["token"] != dispatcher.token:
        error = unauthorized()
        return _json_response(error.error_code, error.payload())
    fault = dispatcher.faults.take(DOWNLOAD)
    if fault is not None:
        await asyncio.sleep(fault.delay)
        failure = fault.error()
        if failure is not None:
            dispatcher.downloads.append(failure.error_code)
            return _json_response(failure.error_code, failure.payload())
    stored = request.app[_FILES].by_path(request.match_info["file_path"])
    if stored is None:
        error = not_found()
        dispatcher.downloads.append(error.error_code)
        return _json_response(error.error_code, error.payload())
    dispatcher.downloads.append(200)
    return web.Response(body=stored.data, content_type="application/octet-stream")


class HttpServer:
    """Run an aiohttp application on a host and port (0: any free port)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        """Start listening; ``port`` then holds the port actually used."""
        runner = web.AppRunner(
            self._app, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        logger.info("fake Telegram listening on %s:%s", self._host, self.port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
