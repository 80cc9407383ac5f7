-- Corrections: every tap on a prediction's button that stored a label, so the bot can offer
-- to retrain after a number of them. A log of events, not a property of a sample: a later
-- /label, /undo or /delete of the sample does not take back that the tap happened, so the
-- count only grows and the offer comes exactly once per N taps.

CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL,
    sample_id  INTEGER NOT NULL,
    user_id    INTEGER,
    created_at REAL    NOT NULL
);

CREATE INDEX corrections_by_chat ON corrections (chat_id, created_at);
