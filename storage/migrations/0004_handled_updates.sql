-- Updates the bot has handled, so that one Telegram delivers again after a crash (before
-- the bot confirmed it) is not handled twice. Only the latest ids are kept.

CREATE TABLE handled_updates (
    update_id  INTEGER PRIMARY KEY,
    handled_at REAL    NOT NULL
);
