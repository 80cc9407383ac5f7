-- Sources that today's preprocessing refused when it re-made their stale model input (see
-- bot/samples/repreparer.py). The sample keeps its older input and samples.preprocess_version
-- keeps saying which version made it; this row says which version refused its source and
-- why, so that version does not try again, while a later one does.
CREATE TABLE preprocess_refusals (
    sample_id          INTEGER PRIMARY KEY REFERENCES samples (id) ON DELETE CASCADE,
    preprocess_version INTEGER NOT NULL,
    reason             TEXT    NOT NULL,
    refused_at         REAL    NOT NULL
);
