"""Chats as a whole: who may run the admin commands in a group, and chats that left.

`admins` asks Telegram who administers a group (and members' names, for /stats), and
`retention` deletes the data of chats that removed or blocked the bot, after a grace period.
"""

__all__ = ["admins", "retention"]
