"""German. Every key of en.py has its German text here; tests/bot/test_texts.py checks it."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # --- core: the texts of 1/5 to 3/5
    # --- pictures and /compare
    # --- corrections and /stats
    # --- /export model
}
