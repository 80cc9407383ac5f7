-- Chats the bot was removed from (or blocked in): their data is deleted after a grace period
-- unless the bot comes back first.

CREATE TABLE chat_removals (
    chat_id    INTEGER PRIMARY KEY,
    removed_at REAL    NOT NULL
) WITHOUT ROWID;
