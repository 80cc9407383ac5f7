-- The language of whoever asked for a training, so that a run the bot finds interrupted
-- after a restart is reported in that person's language, like the rest of the run.
ALTER TABLE training_runs ADD COLUMN language TEXT;
