"""One Bot API request from token check to answer: the pipeline every route goes through."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from .api_base import ApiContext
from .calls import ApiCall, CallLog
from .error_replies import HTTP_SERVER_ERROR, ApiError, not_found, required, unauthorized
from .faults import FaultInjector
from .methods import HANDLERS, implemented
from .params import ATTACH_PREFIX, Params, Upload, decode_guess
from .spec import ApiSpec

logger = logging.getLogger(__name__)


class Dispatcher:
    """Check, run and record Bot API requests."""

    def __init__(
        self,
        *,
        token: str,
        spec: ApiSpec | None,
        context: ApiContext,
        log: CallLog,
        faults: FaultInjector,
    ) -> None:
        self.token = token
        self.spec = spec
        self.context = context
        self.log = log
        self.faults = faults
        self.violations: list[str] = []
        # The HTTP status of every file download, in order (downloads are no Bot API calls).
        self.downloads: list[int] = []

    async def handle(
        self,
        token: str,
        method: str,
        raw: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        *,
        connected: Callable[[], bool] = lambda: True,
        body_error: ApiError | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer one request: return the HTTP status and the JSON body.

        Args:
            token: the token in the URL.
            method: the method name in the URL.
            raw: parameters as received (form values are still strings).
            uploads: files uploaded with multipart/form-data.
            connected: tells whether the client still waits for the answer.
            body_error: why the body could not be read, if it could not.
        """
        arrived = time.monotonic()
        canonical = self._canonical(method)
        params = self._decode(canonical, raw, uploads)
        self.log.started(canonical or method)
        result: Any = None
        try:
            if token != self.token:
                raise unauthorized()
            if canonical is None:
                raise not_found()
            if body_error is not None:
                raise body_error
            result = await self._run(canonical, params, uploads)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.error_code, exc.payload()
        except Exception as exc:  # a bug in the fake: answer like Telegram's 500, and say so
            logger.exception("fake Telegram failed on %s", method)
            self.violations.append(f"{method}: the fake Telegram server crashed: {exc!r}")
            failure = ApiError(HTTP_SERVER_ERROR, "Internal Server Error")
            status, body = failure.error_code, failure.payload()
        self.log.record(
            ApiCall(
                method=canonical or method,
                params=params,
                ok=body["ok"],
                error_code=None if body["ok"] else status,
                description=body.get("description"),
                result=result,
                at=arrived,
                finished_at=time.monotonic(),
                delivered=connected(),
            )
        )
        return status, body

    def _canonical(self, method: str) -> str | None:
        if self.spec is not None:
            return self.spec.resolve_method(method)
        return implemented(method)

    def _decode(
        self, method: str | None, raw: Mapping[str, Any], uploads: Mapping[str, Upload]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, str):
                typed = self.spec.decode(method, name, value) if self.spec and method else None
                params[name] = decode_guess(name, value) if typed is None else typed
            else:
                params[name] = value
        attached = _attached_names(params)
        for name, upload in uploads.items():
            if name not in attached and name not in params:
                params[name] = upload
        return params

    async def _run(self, method: str, params: dict[str, Any], uploads: Mapping[str, Upload]) -> Any:
        fault = self.faults.take(method)
        if fault is not None:
            error = fault.error()
            if error is not None:
                raise error
            await asyncio.sleep(fault.delay)
        if self.spec is not None:
            missing, problems = self.spec.check_request(method, params)
            self.violations.extend(problems)
            if missing is not None:
                raise required(missing)
        handler = HANDLERS.get(method)
        if handler is None:
            self.violations.append(f"{method}: not implemented by the fake Telegram server")
            raise ApiError(HTTP_SERVER_ERROR, f"Method {method} is not implemented by the fake")
        result = await handler(self.context, Params(params, uploads))
        if self.spec is not None:
            self.violations.extend(
                f"answer breaks the spec: {p}" for p in self.spec.check_result(method, result)
            )
        return result


def _attached_names(value: Any) -> set[str]:
    """Return the upload names referenced as ``attach://<name>`` anywhere in ``value``."""
    if isinstance(value, str):
        return {value.removeprefix(ATTACH_PREFIX)} if value.startswith(ATTACH_PREFIX) else set()
    if isinstance(value, dict):
        return set().union(*(_attached_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_attached_names(v) for v in value))
    return set()
