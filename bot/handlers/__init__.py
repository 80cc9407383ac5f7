"""Telegram handlers: each reads the update, calls one service, formats the reply."""
