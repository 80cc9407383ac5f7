"""What only a training worker loads: TensorFlow networks, training, export and the charts.

`validation` plans which samples validate which run (plain numpy), `network` builds the
talk's dense network and CNN and starts a CNN from the bundled default model, `fitting` fits
one traced model again and again (blending in the class prototypes of `prototypes`), `train`
and `compare` are the two jobs a chat can run, `curves` reads the validation curves (the
best epoch, overfitting or not finished), `export` writes `.keras`, `.tflite` and the
sidecar, and `charts` draws the pictures.

Nothing is imported here: the worker limits TensorFlow's threads before it imports it.
"""

__all__ = [
    "charts",
    "compare",
    "curves",
    "export",
    "fitting",
    "network",
    "prototypes",
    "train",
    "validation",
]
