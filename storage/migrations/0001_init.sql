-- Initial schema. Every row carries its chat_id: each chat is its own project.
-- Migration files must not contain BEGIN/COMMIT or PRAGMA user_version:
-- storage/migrate.py wraps each file in one transaction together with the version bump.

-- AUTOINCREMENT so a deleted label's id is never handed to a new label: label ids go into
-- inline-button callback data, and an old button must not silently mean a different label.
CREATE TABLE labels (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    name    TEXT    NOT NULL CHECK (length(name) > 0),
    UNIQUE (chat_id, name),
    -- Parent key for samples' (chat_id, label_id): a sample can only carry its own chat's label.
    UNIQUE (chat_id, id)
);

-- AUTOINCREMENT for the same reason as labels: sample ids can end up in callback data.
CREATE TABLE samples (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id            INTEGER NOT NULL,
    message_id         INTEGER NOT NULL,
    user_id            INTEGER,
    file_unique_id     TEXT    NOT NULL CHECK (length(file_unique_id) > 0),
    media_group_id     TEXT,
    source_kind        TEXT    NOT NULL CHECK (source_kind IN ('photo', 'document', 'sticker')),
    input_size         INTEGER NOT NULL CHECK (input_size > 0),
    preprocess_version INTEGER NOT NULL,
    label_id           INTEGER,
    labelled_by        INTEGER,
    created_at         REAL    NOT NULL,
    labelled_at        REAL,
    UNIQUE (chat_id, file_unique_id),
    UNIQUE (chat_id, id),
    CHECK ((label_id IS NULL) = (labelled_at IS NULL)),
    -- Deferred so that moving a chat (migrate_chat) can update both sides within one transaction.
    FOREIGN KEY (chat_id, label_id) REFERENCES labels (chat_id, id)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX samples_by_label ON samples (chat_id, label_id);
CREATE INDEX samples_by_uploader ON samples (chat_id, user_id, created_at);
CREATE INDEX samples_by_labeller ON samples (chat_id, labelled_by, labelled_at);

-- Image bytes live apart from the metadata so that counting and listing never read blobs.
CREATE TABLE sample_images (
    sample_id   INTEGER PRIMARY KEY REFERENCES samples (id) ON DELETE CASCADE,
    model_input BLOB NOT NULL,
    source_png  BLOB NOT NULL
);

-- Every message that delivered a sample, so that replying to a re-sent duplicate still finds
-- the sample, and an album caption also labels a picture that was a duplicate.
CREATE TABLE sample_messages (
    chat_id        INTEGER NOT NULL,
    message_id     INTEGER NOT NULL,
    sample_id      INTEGER NOT NULL,
    media_group_id TEXT,
    PRIMARY KEY (chat_id, message_id),
    FOREIGN KEY (chat_id, sample_id) REFERENCES samples (chat_id, id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
) WITHOUT ROWID;

CREATE INDEX sample_messages_by_album ON sample_messages (chat_id, media_group_id)
    WHERE media_group_id IS NOT NULL;
CREATE INDEX sample_messages_by_sample ON sample_messages (chat_id, sample_id);

-- The label an album's caption gave, for album members that arrive after the caption.
-- Stored by name, not label id, so a remembered label does not count toward the label limit.
CREATE TABLE album_labels (
    chat_id        INTEGER NOT NULL,
    media_group_id TEXT    NOT NULL,
    label          TEXT    NOT NULL CHECK (length(label) > 0),
    labelled_by    INTEGER,
    labelled_at    REAL    NOT NULL,
    PRIMARY KEY (chat_id, media_group_id)
) WITHOUT ROWID;
