-- Whether the preprocessing found a sample to be a photo (of paper, 1) or a drawing made on
-- a screen (0), so that /status can warn when one label is all photos and another all
-- screen drawings. NULL: not known yet, for the samples stored before; the re-preparer's
-- sweep (bot/samples/repreparer.py) fills it in from their source PNGs.
ALTER TABLE samples ADD COLUMN photographed INTEGER CHECK (photographed IN (0, 1));
