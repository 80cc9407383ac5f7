"""Bot API errors in the shape Telegram returns them."""

from __future__ import annotations

from typing import Any

HTTP_BAD_REQUEST = 400
HTTP_UNAUTHORIZED = 401
HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404
HTTP_CONFLICT = 409
HTTP_TOO_LARGE = 413
HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500

_PREFIXES = {
    HTTP_BAD_REQUEST: "Bad Request",
    HTTP_FORBIDDEN: "Forbidden",
    HTTP_CONFLICT: "Conflict",
    HTTP_TOO_MANY_REQUESTS: "Too Many Requests",
}


class ApiError(Exception):
    """An error the fake answers with instead of a result."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def error(error_code: int, detail: str) -> ApiError:
    """Build an error whose description carries Telegram's prefix for that code."""
    prefix = _PREFIXES.get(error_code)
    return ApiError(error_code, f"{prefix}: {detail}" if prefix else detail)


def bad_request(detail: str) -> ApiError:
    """Build a 400 error, e.g. ``bad_request("chat not found")``."""
    return error(HTTP_BAD_REQUEST, detail)


def forbidden(detail: str) -> ApiError:
    """Build a 403 error, e.g. ``forbidden("bot was blocked by the user")``."""
    return error(HTTP_FORBIDDEN, detail)


def too_many_requests(retry_after: int) -> ApiError:
    """Build a 429 flood-control error asking the client to wait ``retry_after`` seconds."""
    return ApiError(
        HTTP_TOO_MANY_REQUESTS,
        f"Too Many Requests: retry after {retry_after}",
        retry_after=retry_after,
    )


def unauthorized() -> ApiError:
    """Build the error Telegram returns for an unknown token."""
    return ApiError(HTTP_UNAUTHORIZED, "Unauthorized")


def not_found() -> ApiError:
    """Build the error Telegram returns for an unknown method."""
    return ApiError(HTTP_NOT_FOUND, "Not Found")


def required(name: str) -> ApiError:
    """Build the error for a missing required parameter."""
    return bad_request(f'parameter "{name}" is required')
