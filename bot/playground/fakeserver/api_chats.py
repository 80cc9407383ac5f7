"""Bot API methods about chats and their members."""

from __future__ import annotations

from typing import Any

from .api_base import ApiContext, Handler, target_chat
from .error_replies import bad_request
from .params import Params
from .state import PRIVATE, ChatRecord, World

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def member(world: World, chat: ChatRecord, user_id: int) -> dict[str, Any]:
    """Return the ``ChatMember`` for a user (or the bot): creator, administrator, member, left."""
    user = world.bot_user() if user_id == world.bot_id else world.user(user_id)
    if user_id == world.bot_id and chat.bot_gone == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if user_id == world.bot_id and chat.bot_gone == "left":
        return {"status": "left", "user": user}
    if chat.admins and chat.admins[0] == user_id:
        return {"status": "creator", "user": user, "is_anonymous": False}
    if user_id in chat.admins:
        rights = {right: True for right in _ADMIN_RIGHTS}
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            **rights,
        }
    if user_id == world.bot_id or user_id in chat.members or chat.type == PRIVATE:
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}


async def get_chat(ctx: ApiContext, p: Params) -> Any:
    """getChat."""
    return target_chat(ctx, p).full_info()


async def get_chat_member(ctx: ApiContext, p: Params) -> Any:
    """getChatMember: status from the chat's admins (the first one created the chat)."""
    chat = target_chat(ctx, p)
    user_id = p.req_int("user_id")
    known = user_id == ctx.world.bot_id or user_id in ctx.world.users
    if not known and user_id not in chat.admins and user_id not in chat.members:
        raise bad_request("user not found")
    return member(ctx.world, chat, user_id)


async def get_chat_administrators(ctx: ApiContext, p: Params) -> Any:
    """getChatAdministrators."""
    chat = target_chat(ctx, p)
    if chat.type == PRIVATE:
        raise bad_request("there are no administrators in the private chat")
    return [member(ctx.world, chat, user_id) for user_id in chat.admins]


async def get_chat_member_count(ctx: ApiContext, p: Params) -> Any:
    """getChatMemberCount: the members seen so far, the bot included."""
    chat = target_chat(ctx, p)
    return len(chat.members | {ctx.world.bot_id}) if chat.type != PRIVATE else 2


HANDLERS: dict[str, Handler] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
}
