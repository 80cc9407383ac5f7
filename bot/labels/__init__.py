"""Labels: their names, and the one-tap correction buttons under a prediction.

`names` is the naming rule (any script, case-folded, 1 to 32 characters), `built_in`
shows the built-in model's labels in the reader's language ("fröhlich" for "smile") and
takes them back, and `corrections` builds the buttons under a prediction and carries out
a tap.
"""

__all__ = ["built_in", "corrections", "names"]
