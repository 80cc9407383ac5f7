"""The image side of Smiley Bot: validating uploads and turning them into model inputs.

`model.synthetic` (not imported here) draws synthetic smileys for tests, benchmarks and the
default model. The function `preprocess` is deliberately not re-exported: binding it here
would hide the submodule of the same name (`model.preprocess`), which breaks
`mock.patch("model.preprocess....")`; import it as `from model.preprocess import preprocess`.
"""

from model.decode import RejectReason
from model.inference import Classifier
from model.job import DEFAULT_MODEL_PREFIX
from model.preprocess import (
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

__all__ = [
    "ACCEPTED_FORMATS",
    "DEFAULT_MODEL_PREFIX",
    "INPUT_SIZE",
    "PREPROCESS_VERSION",
    "SOURCE_MAX_SIDE",
    "Classifier",
    "ImageRejected",
    "PreparedSample",
    "RejectReason",
    "decode_image",
    "input_array",
    "prepare_sample",
    "source_copy",
]
