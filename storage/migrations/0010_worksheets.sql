-- The worksheet a chat was last sent (/worksheet): its row labels, in order, so that a photo
-- of the filled sheet is read with the layout and labels that were printed on it.
CREATE TABLE worksheets (
    chat_id   INTEGER PRIMARY KEY,
    labels    TEXT    NOT NULL,  -- JSON list, one per row; "" for a row left blank
    issued_at REAL    NOT NULL
);
