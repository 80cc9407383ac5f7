-- Class projects (bot/classroom/): a group's class, the pupils who joined it from their
-- private chats, and which of their samples feed the class's dataset. A pupil's sample stays
-- in the pupil's own chat (so /undo, "Why?" and the buttons there work as anywhere) and
-- carries the class it was drawn for; the group trains on its own samples and on these.

-- AUTOINCREMENT: a class id is never handed out twice, so an ended class's samples and
-- buttons never mean a new class.
CREATE TABLE classes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    group_chat_id INTEGER NOT NULL,
    code          TEXT    NOT NULL UNIQUE CHECK (length(code) >= 12),
    joining_open  INTEGER NOT NULL DEFAULT 1 CHECK (joining_open IN (0, 1)),
    created_by    INTEGER,
    created_at    REAL    NOT NULL,
    ended_at      REAL,
    tally_message_id INTEGER,  -- the group's live message, edited as the class draws
    language      TEXT            -- the teacher's, for the live message
);

-- One running class per group.
CREATE UNIQUE INDEX classes_running_per_group ON classes (group_chat_id) WHERE ended_at IS NULL;

CREATE TABLE class_members (
    class_id   INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,  -- the pupil's private chat with the bot
    user_id    INTEGER NOT NULL,
    first_name TEXT    NOT NULL,
    joined_at  REAL    NOT NULL,
    left_at    REAL,
    PRIMARY KEY (class_id, chat_id)
) WITHOUT ROWID;

-- A private chat is in one class at a time.
CREATE UNIQUE INDEX class_members_one_class ON class_members (chat_id) WHERE left_at IS NULL;

ALTER TABLE samples ADD COLUMN class_id INTEGER REFERENCES classes (id);

CREATE INDEX samples_by_class ON samples (class_id, label_id) WHERE class_id IS NOT NULL;

-- Bumped whenever a class's labelled data changes, as chat_data_versions is for a chat's
-- own: a class model trained at an older version is outdated.
CREATE TABLE class_data_versions (
    class_id INTEGER PRIMARY KEY,
    version  INTEGER NOT NULL
);

CREATE TRIGGER class_sample_added AFTER INSERT ON samples
WHEN NEW.class_id IS NOT NULL AND NEW.label_id IS NOT NULL
BEGIN
    INSERT INTO class_data_versions (class_id, version) VALUES (NEW.class_id, 1)
    ON CONFLICT (class_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER class_sample_removed AFTER DELETE ON samples
WHEN OLD.class_id IS NOT NULL AND OLD.label_id IS NOT NULL
BEGIN
    INSERT INTO class_data_versions (class_id, version) VALUES (OLD.class_id, 1)
    ON CONFLICT (class_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER class_sample_changed AFTER UPDATE OF label_id, class_id ON samples
WHEN (OLD.label_id IS NOT NEW.label_id OR OLD.class_id IS NOT NEW.class_id)
    AND coalesce(NEW.class_id, OLD.class_id) IS NOT NULL
BEGIN
    INSERT INTO class_data_versions (class_id, version)
    SELECT c, 1 FROM (SELECT OLD.class_id AS c UNION SELECT NEW.class_id) WHERE c IS NOT NULL
    ON CONFLICT (class_id) DO UPDATE SET version = version + 1;
END;
