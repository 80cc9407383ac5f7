"""Labels: their names, and the one-tap correction buttons under a prediction.

`names` is the naming rule (any script, case-folded, 1 to 32 characters), and
`corrections` builds the buttons under a prediction and carries out a tap.
"""

__all__ = ["corrections", "names"]
