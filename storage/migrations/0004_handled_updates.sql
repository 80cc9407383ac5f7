-- Updates the bot has handled, so that one Telegram delivers again after a crash (before
-- the bot confirmed it) is not handled twice. Telegram keeps updates for 24 hours; older
-- rows are pruned.

CREATE TABLE handled_updates (
    update_id  INTEGER PRIMARY KEY,
    handled_at REAL    NOT NULL
);

CREATE INDEX handled_updates_by_time ON handled_updates (handled_at);
