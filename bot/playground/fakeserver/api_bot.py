"""Bot API methods about the bot itself: getMe, updates, webhooks, commands, close."""

from __future__ import annotations

import re
from typing import Any

from .api_base import ApiContext, Handler
from .error_replies import bad_request, required
from .params import Params
from .updates import MAX_LIMIT, conflict

MAX_COMMANDS = 100
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2}")
MAX_DESCRIPTION_LENGTH = 256
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPES = (
    frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators"})
    | _SCOPES_WITH_CHAT
)


async def get_me(ctx: ApiContext, p: Params) -> Any:
    """getMe: the bot's User."""
    return ctx.world.me()


async def get_updates(ctx: ApiContext, p: Params) -> Any:
    """getUpdates: long polling."""
    if ctx.world.webhook["url"]:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    allowed = p.json_value("allowed_updates")
    if allowed is not None:
        ctx.world.updates.set_allowed(allowed)
    return await ctx.world.updates.poll(
        offset=p.opt_int("offset"),
        limit=p.opt_int("limit", MAX_LIMIT) or MAX_LIMIT,
        wait_seconds=float(p.opt_int("timeout", 0) or 0),
    )


async def set_webhook(ctx: ApiContext, p: Params) -> Any:
    """setWebhook: remembered only; the fake delivers updates through getUpdates."""
    url = p.opt_str("url")
    if url is None:
        raise required("url")
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    ctx.world.webhook = {"url": url}
    ctx.world.updates.set_allowed(p.json_value("allowed_updates"))
    if p.flag("drop_pending_updates"):
        ctx.world.updates.drop_pending()
    return True


async def delete_webhook(ctx: ApiContext, p: Params) -> Any:
    """deleteWebhook."""
    ctx.world.webhook = {"url": ""}
    if p.flag("drop_pending_updates"):
        ctx.world.updates.drop_pending()
    return True


async def get_webhook_info(ctx: ApiContext, p: Params) -> Any:
    """getWebhookInfo."""
    info: dict[str, Any] = {
        "url": ctx.world.webhook["url"],
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.world.updates.pending),
    }
    if ctx.world.updates.allowed_updates:
        info["allowed_updates"] = ctx.world.updates.allowed_updates
    return info


async def close(ctx: ApiContext, p: Params) -> Any:
    """close: nothing to release in the fake."""
    return True


async def log_out(ctx: ApiContext, p: Params) -> Any:
    """logOut: nothing to release in the fake."""
    return True


def scope_key(scope: Any) -> str:
    """Return the key of a BotCommandScope: "default", "chat:<id>", "chat_member:<id>:<user>"."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope")
    kind = str(scope["type"])
    if kind not in _SCOPES_WITH_CHAT:
        return kind
    if "chat_id" not in scope:
        raise bad_request('parameter "chat_id" is required')
    if kind == "chat_member":
        return f"{kind}:{scope['chat_id']}:{scope.get('user_id')}"
    return f"{kind}:{scope['chat_id']}"


def _language(p: Params) -> str:
    language = p.opt_str("language_code") or ""
    if language and not _LANGUAGE_CODE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return language


async def set_my_commands(ctx: ApiContext, p: Params) -> Any:
    """setMyCommands: per scope and language."""
    commands = p.json_value("commands")
    if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
        raise bad_request(
            "BOT_COMMANDS_TOO_MUCH"
            if isinstance(commands, list)
            else "can't parse commands JSON object"
        )
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= MAX_DESCRIPTION_LENGTH:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
    ctx.world.set_commands(scope_key(p.json_value("scope")), _language(p), cleaned)
    return True


async def get_my_commands(ctx: ApiContext, p: Params) -> Any:
    """getMyCommands: exactly that scope and language, no fallback (like Telegram)."""
    return ctx.world.get_commands(scope_key(p.json_value("scope")), _language(p))


async def delete_my_commands(ctx: ApiContext, p: Params) -> Any:
    """deleteMyCommands."""
    ctx.world.set_commands(scope_key(p.json_value("scope")), _language(p), [])
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "close": close,
    "logOut": log_out,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
}
