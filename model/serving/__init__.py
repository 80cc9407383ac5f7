"""What the bot process loads: uploads decoded and preprocessed, predictions, contact sheets.

`decode` validates an upload, `preprocess` turns it into the model's input (the one path
shared by training and prediction, with `image_ops` as its operators), `inference` predicts
with an exported `.tflite` model through LiteRT, `occlusion` finds the strokes that decided
a prediction, and `sheets` lays inputs out as pictures.
No TensorFlow: the bot never loads it.

The function `preprocess` is deliberately not re-exported: binding it here would hide the
submodule of the same name, which breaks `mock.patch("model.serving.preprocess....")`;
import it as `from model.serving.preprocess import preprocess`.
"""

from model.serving.decode import NO_DRAWING, RejectReason
from model.serving.inference import Classifier
from model.serving.occlusion import sensitivity
from model.serving.preprocess import (
    ACCEPTED_FORMATS,
    INPUT_SIZE,
    PREPROCESS_VERSION,
    SOURCE_MAX_SIDE,
    ImageRejected,
    PreparedSample,
    decode_image,
    input_array,
    prepare_sample,
    source_copy,
)
from model.serving.sheets import captioned_sheet, contact_sheet, enlarged, heatmap_picture

__all__ = [
    "ACCEPTED_FORMATS",
    "INPUT_SIZE",
    "NO_DRAWING",
    "PREPROCESS_VERSION",
    "SOURCE_MAX_SIDE",
    "Classifier",
    "ImageRejected",
    "PreparedSample",
    "RejectReason",
    "captioned_sheet",
    "contact_sheet",
    "decode_image",
    "enlarged",
    "heatmap_picture",
    "input_array",
    "prepare_sample",
    "sensitivity",
    "source_copy",
]
