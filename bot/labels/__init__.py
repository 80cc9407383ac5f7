"""Labels: their names, /label for an earlier image, and the one-tap correction buttons.

`names` is the naming rule (any script, case-folded, 1 to 32 characters), `labeller` finds
the image a /label means and labels it, and `corrections` builds the buttons under a
prediction and carries out a tap.
"""

__all__ = ["corrections", "labeller", "names"]
