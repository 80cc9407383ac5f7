-- Training: per-chat parameters, a data version that says when a model is outdated, and a
-- record of every training run (which samples, which parameters, the metrics, and when).

-- /set values as JSON text, validated by the bot before they get here.
CREATE TABLE chat_params (
    chat_id INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (chat_id, name)
) WITHOUT ROWID;

-- Bumped whenever the chat's *labelled* data changes, by the triggers below, so no code
-- path can forget it. A model trained at an older version is outdated.
CREATE TABLE chat_data_versions (
    chat_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);

CREATE TRIGGER labelled_sample_added AFTER INSERT ON samples
WHEN NEW.label_id IS NOT NULL
BEGIN
    INSERT INTO chat_data_versions (chat_id, version) VALUES (NEW.chat_id, 1)
    ON CONFLICT (chat_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER labelled_sample_removed AFTER DELETE ON samples
WHEN OLD.label_id IS NOT NULL
BEGIN
    INSERT INTO chat_data_versions (chat_id, version) VALUES (OLD.chat_id, 1)
    ON CONFLICT (chat_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER sample_label_changed AFTER UPDATE OF label_id, chat_id ON samples
WHEN OLD.label_id IS NOT NEW.label_id OR OLD.chat_id IS NOT NEW.chat_id
BEGIN
    INSERT INTO chat_data_versions (chat_id, version) VALUES (NEW.chat_id, 1)
    ON CONFLICT (chat_id) DO UPDATE SET version = version + 1;
END;

CREATE TABLE training_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id      INTEGER NOT NULL,
    requested_by INTEGER,
    status       TEXT    NOT NULL CHECK (status IN
                     ('queued', 'running', 'finished', 'failed', 'stopped', 'interrupted')),
    params       TEXT    NOT NULL,  -- JSON object
    labels       TEXT    NOT NULL,  -- JSON list: the model's output order
    sample_ids   TEXT    NOT NULL,  -- JSON list: exactly which samples it learned from
    data_version INTEGER NOT NULL,
    metrics      TEXT,              -- JSON object, once finished
    model_prefix TEXT,              -- path of the exported files without extension
    error        TEXT,
    message_id   INTEGER,           -- the progress message, edited as training goes
    created_at   REAL    NOT NULL,
    started_at   REAL,
    finished_at  REAL,
    CHECK ((status = 'finished') = (model_prefix IS NOT NULL))
);

CREATE INDEX training_runs_by_chat ON training_runs (chat_id, status, id);
