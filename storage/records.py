"""Records and errors that cross the storage package boundary."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

SOURCE_KINDS: Final[frozenset[str]] = frozenset({"photo", "document", "sticker"})
SHA256_HEX_LENGTH: Final = 64


@dataclass(frozen=True)
class NewSample:
    """An uploaded image, preprocessed and ready to be stored for one chat."""

    chat_id: int
    message_id: int
    user_id: int | None
    file_unique_id: str
    media_group_id: str | None
    source_kind: str  # "photo" | "document" | "sticker"
    model_input: bytes  # uint8 pixels, input_size * input_size
    input_size: int
    preprocess_version: int
    source_png: bytes  # downscaled grayscale copy of the upload
    label: str | None = None  # already validated and normalised by the caller
    photographed: bool | None = None  # a photo (of paper), not drawn on a screen; None: unknown

    def __post_init__(self) -> None:
        """Reject samples that would poison the training data later."""
        if self.source_kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source_kind {self.source_kind!r}")
        if not self.file_unique_id:
            raise ValueError("file_unique_id must not be empty")
        if self.input_size <= 0:
            raise ValueError(f"input_size must be positive, got {self.input_size}")
        expected = self.input_size * self.input_size
        if len(self.model_input) != expected:
            raise ValueError(
                f"model_input has {len(self.model_input)} bytes, expected {expected} "
                f"for input_size {self.input_size}"
            )
        if self.label is not None and not self.label:
            raise ValueError("label must be None or a non-empty string")


@dataclass(frozen=True)
class Sample:
    """A stored sample, without its image bytes."""

    id: int
    chat_id: int
    message_id: int
    user_id: int | None
    file_unique_id: str
    media_group_id: str | None
    source_kind: str
    label: str | None
    labelled_by: int | None
    created_at: float
    labelled_at: float | None


class AddStatus(enum.Enum):
    """What add_sample did."""

    CREATED = "created"
    DUPLICATE = "duplicate"
    RELABELLED = "relabelled"


@dataclass(frozen=True)
class AddResult:
    """The sample add_sample stored or found, and what happened to it."""

    sample: Sample
    status: AddStatus


@dataclass(frozen=True)
class LabelCount:
    """How many samples of one chat carry a label."""

    name: str
    count: int


@dataclass(frozen=True)
class LabelProfile:
    """A label's samples: how many, from how many people, how many photos and screen drawings."""

    name: str
    count: int
    contributors: int  # imported samples count as one more
    photographed: int = 0  # known to be photos (of paper)
    on_screen: int = 0  # known to be drawn on a screen; the rest are not known yet


class StorageLimitError(Exception):
    """A per-chat limit forbids the write; nothing was changed."""

    def __init__(self, limit: int) -> None:
        """Remember the limit so the bot can tell the user."""
        super().__init__(f"{type(self).__name__}: limit is {limit}")
        self.limit = limit


class TooManyLabels(StorageLimitError):
    """The chat already has the maximum number of labels and the label is new."""


class ChatFull(StorageLimitError):
    """The chat already holds the maximum number of samples."""


class StorageFull(Exception):
    """The disk (or the database's size cap) is full: the write was rolled back whole."""


class LabelNotFound(LookupError):
    """This chat has no label of that name."""


class LabelExists(ValueError):
    """This chat already has a label of that name."""


class SampleNotFound(KeyError):
    """No sample with this id exists in this chat."""

    def __init__(self, chat_id: int, sample_id: int) -> None:
        """Remember which lookup failed."""
        super().__init__(chat_id, sample_id)
        self.chat_id = chat_id
        self.sample_id = sample_id

    def __str__(self) -> str:
        """Describe the failed lookup without KeyError's quoting."""
        return f"no sample {self.sample_id} in chat {self.chat_id}"


@dataclass(frozen=True)
class LabelledInput:
    """One labelled sample's model input, as training needs it."""

    sample_id: int
    label: str
    model_input: bytes
    input_size: int
    preprocess_version: int  # of the preprocessing that made model_input


@dataclass(frozen=True)
class StaleInput:
    """A sample whose model input an older preprocessing made, with the source to redo it."""

    chat_id: int
    sample_id: int
    preprocess_version: int  # of its stored model input
    source_png: bytes


@dataclass(frozen=True)
class RepreparedInput:
    """A stale sample's model input made again from its source PNG."""

    chat_id: int
    sample_id: int
    model_input: bytes  # uint8 pixels, input_size * input_size
    input_size: int
    preprocess_version: int
    photographed: bool  # what the same preprocessing found the source to be

    def __post_init__(self) -> None:
        """Reject an input that would poison the training data later."""
        if self.input_size <= 0 or len(self.model_input) != self.input_size**2:
            raise ValueError(
                f"model_input has {len(self.model_input)} bytes for input_size {self.input_size}"
            )


@dataclass(frozen=True)
class RefusedSource:
    """A stale sample whose source PNG a newer preprocessing refused: it keeps its input."""

    chat_id: int
    sample_id: int
    preprocess_version: int  # of the preprocessing that refused it
    reason: str


RUN_STATUSES: Final[frozenset[str]] = frozenset(
    {"queued", "running", "finished", "failed", "stopped", "interrupted"}
)
FINAL_STATUSES: Final[frozenset[str]] = frozenset({"failed", "stopped", "interrupted"})


@dataclass(frozen=True)
class TrainingRun:
    """One /train: its inputs, its outcome and, once finished, where its model lives."""

    id: int
    chat_id: int
    requested_by: int | None
    status: str
    params: dict[str, Any]
    labels: list[str]
    sample_ids: list[int]
    data_version: int
    metrics: dict[str, Any] | None
    model_prefix: str | None
    error: str | None
    message_id: int | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    language: str | None = None  # the requester's Telegram language_code


@dataclass(frozen=True)
class ChatReset:
    """What clearing a chat removed: counts for the reply, model files for the caller."""

    samples: int
    labels: int
    runs: int
    model_prefixes: tuple[str, ...]  # files of the chat's models, to delete off the database


@dataclass(frozen=True)
class StoredImage:
    """A sample's stored source PNG with what an export needs to describe it."""

    sample_id: int
    label: str | None
    created_at: float
    preprocess_version: int
    source_png: bytes


@dataclass(frozen=True)
class ImportItem:
    """One image of an imported archive, preprocessed and ready to store."""

    label: str | None  # already validated and normalised by the caller
    source_sha256: str  # hex digest of source_png: the image's identity within a chat
    model_input: bytes
    input_size: int
    preprocess_version: int
    source_png: bytes
    photographed: bool | None = None  # a photo (of paper), not drawn on a screen; None: unknown

    def __post_init__(self) -> None:
        """Reject items that would poison the training data or the duplicate check."""
        if len(self.source_sha256) != SHA256_HEX_LENGTH or self.source_sha256.strip(
            "0123456789abcdef"
        ):
            raise ValueError(f"source_sha256 is no lowercase hex SHA-256: {self.source_sha256!r}")
        if self.input_size <= 0 or len(self.model_input) != self.input_size**2:
            raise ValueError(
                f"model_input has {len(self.model_input)} bytes for input_size {self.input_size}"
            )
        if self.label is not None and not self.label:
            raise ValueError("label must be None or a non-empty string")


@dataclass(frozen=True)
class ImportResult:
    """What import_samples stored, skipped as already present, and left out at a limit."""

    imported: tuple[LabelCount, ...]  # labelled samples stored, per label, sorted by name
    unlabelled: int  # unlabelled samples stored
    already_here: int
    over_sample_limit: int
    over_label_limit: int

    @property
    def stored(self) -> int:
        """Return how many samples the import added."""
        return self.unlabelled + sum(count.count for count in self.imported)


@dataclass(frozen=True)
class Correction:
    """What a tap on a prediction's button did to its sample.

    ``sample`` is None when the sample is gone; ``stored`` tells whether this tap labelled
    it (False: it already had a label); ``taps_since_training`` counts the chat's taps that
    stored a label since its last training was requested, this one included.
    """

    sample: Sample | None
    stored: bool
    taps_since_training: int


@dataclass(frozen=True)
class ContributorCount:
    """How many labelled samples of one chat a user sent (None: imported, nobody's)."""

    user_id: int | None
    count: int


@dataclass(frozen=True)
class ClassProject:
    """A group's class project: its join code and whether pupils may still join."""

    id: int
    group_chat_id: int
    code: str
    joining_open: bool
    created_by: int | None
    created_at: float
    ended_at: float | None
    tally_message_id: int | None  # the group's live message of the class
    language: str | None = None  # the teacher's, for the live message


@dataclass(frozen=True)
class ClassMember:
    """A pupil of a class, by the private chat they joined from."""

    class_id: int
    chat_id: int
    user_id: int
    first_name: str
    joined_at: float
    left_at: float | None


class ClassRunning(Exception):
    """The group runs a class already."""

    def __init__(self, running: ClassProject) -> None:
        super().__init__(running.id)
        self.running = running
