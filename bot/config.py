"""Load and check the bot's TOML configuration once, at start-up."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

__all__ = [
    "AccessConfig",
    "Config",
    "ConfigError",
    "CorrectionsConfig",
    "LimitsConfig",
    "PlaygroundConfig",
    "PredictionConfig",
    "StorageConfig",
    "TelegramConfig",
    "TrainingConfig",
    "WebAppConfig",
    "WebhookConfig",
    "load_config",
]

TOKEN_ENV_VAR = "SMILEY_BOT_TOKEN"
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
TELEGRAM_DOWNLOAD_CAP = 20 * 1024 * 1024  # getFile refuses anything larger
SECTIONS = (
    "telegram",
    "storage",
    "limits",
    "training",
    "prediction",
    "access",
    "corrections",
    "playground",
    "webapp",
)
_COMMAND_NAME = re.compile(r"[A-Za-z0-9_]{1,32}")


class ConfigError(Exception):
    """A missing or invalid configuration key; the message names the key and the file."""


@dataclass(frozen=True)
class WebhookConfig:
    """Settings for webhook mode (PTB's built-in webhook server)."""

    listen: str = "0.0.0.0"
    port: int = 8443
    url: str = ""  # the public HTTPS URL Telegram posts to
    url_path: str = ""
    secret_token: str = ""


@dataclass(frozen=True)
class TelegramConfig:
    """How the bot reaches the Bot API."""

    token: str = field(repr=False)  # "": no Telegram, the local playground runs instead
    base_url: str = TELEGRAM_BASE_URL
    base_file_url: str = TELEGRAM_BASE_FILE_URL
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookConfig = WebhookConfig()


@dataclass(frozen=True)
class StorageConfig:
    """Where the data lives."""

    database: Path = Path("data/smiley.sqlite3")
    models_dir: Path = Path("data/models")
    # A chat that removed or blocked the bot keeps its data this long, in case it comes back.
    delete_after_removal_days: float = 30.0


@dataclass(frozen=True)
class LimitsConfig:
    """Limits that keep one chat or user from exhausting the bot."""

    max_download_bytes: int = TELEGRAM_DOWNLOAD_CAP
    max_image_pixels: int = 40_000_000
    max_samples_per_chat: int = 5_000
    max_labels_per_chat: int = 10
    uploads_per_user_per_minute: int = 60
    label_window_minutes: float = 10.0
    min_samples_per_label: int = 5


@dataclass(frozen=True)
class TrainingConfig:
    """How trainings run: each in a worker process, queued across chats."""

    concurrency: int = 1  # trainings at once; each takes a core
    threads: int = 1  # TensorFlow threads per training, so the bot keeps a core
    # Workers started ahead with TensorFlow loaded (bot.training.standby), ~600 MB each.
    standby_workers: int = 1


@dataclass(frozen=True)
class PredictionConfig:
    """How predictions are answered."""

    low_confidence: float = 0.5  # below this, the reply says "not sure"
    cache_size: int = 32  # chat models kept in memory
    # Helper processes that read uploads. On 2 cores a second one did not shorten a class's
    # burst (the bot's own loop and commits are the rest of it); more cores may differ.
    preprocess_workers: int = 1


@dataclass(frozen=True)
class CorrectionsConfig:
    """The buttons under a prediction that store the image under a label in one tap."""

    # After this many taps that stored a label since the last training, offer to retrain.
    retrain_offer_after: int = 10  # 0: never offer


@dataclass(frozen=True)
class AccessConfig:
    """Optional allow-lists (empty: everyone) and the commands only group admins may run."""

    user_ids: frozenset[int] = frozenset()
    chat_ids: frozenset[int] = frozenset()
    # None: the commands the bot marks as admin-only where it wires them (bot/app.py).
    admin_commands: frozenset[str] | None = None


@dataclass(frozen=True)
class PlaygroundConfig:
    """The local playground: the bot against an embedded fake Telegram, with a web chat."""

    host: str = "127.0.0.1"  # loopback only: the playground has no login
    port: int = 8080
    # A class on the school network: pupils join with a PIN, the teacher has a page of
    # their own (bot/playground/classroom.py). Off: one person, no login.
    classroom: bool = False
    # The playground person's language, and in a class the teacher's and the live tally's.
    language: str = "en"


@dataclass(frozen=True)
class WebAppConfig:
    """The drawing canvas as a Telegram Mini App, opened by /draw's keyboard button."""

    # The page's public https:// URL (Telegram opens only those), e.g. the bot's own
    # https://host/webapp/draw.html in webhook mode. "": /draw explains how to set it.
    url: str = ""


@dataclass(frozen=True)
class Config:
    """The whole configuration, loaded once in ``__main__`` and passed in."""

    telegram: TelegramConfig
    storage: StorageConfig = StorageConfig()
    limits: LimitsConfig = LimitsConfig()
    training: TrainingConfig = TrainingConfig()
    prediction: PredictionConfig = PredictionConfig()
    access: AccessConfig = AccessConfig()
    corrections: CorrectionsConfig = CorrectionsConfig()
    playground: PlaygroundConfig = PlaygroundConfig()
    webapp: WebAppConfig = WebAppConfig()
    source: Path = Path("config.toml")

    @property
    def is_playground(self) -> bool:
        """Whether no token is set, so the bot runs in the local playground."""
        return not self.telegram.token


class _Section:
    """Reads typed keys out of one TOML table and rejects unknown ones."""

    def __init__(self, data: Mapping[str, Any], name: str, file: Path) -> None:
        self._data = data
        self._name = name
        self.file = file
        self._seen: set[str] = set()

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: [{self._name}] {key}: {problem}")

    def get(self, key: str, kind: type, default: Any) -> Any:
        self._seen.add(key)
        if key not in self._data:
            return default
        value = self._data[key]
        # bool is an int in Python; a limit of `true` is a typo, not a number
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(key, f"must be an integer, got {value!r}")
        if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.error(key, f"must be a number, got {value!r}")
        if kind is str and not isinstance(value, str):
            raise self.error(key, f"must be a string, got {value!r}")
        return float(value) if kind is float else value

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, kind, default)
        if value <= 0:
            raise self.error(key, f"must be greater than 0, got {value!r}")
        return value

    def ids(self, key: str) -> frozenset[int]:
        value = self.get(key, list, [])
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            raise self.error(key, "must be a list of integer ids, e.g. [123456789]")
        return frozenset(value)

    def table(self, key: str) -> Mapping[str, Any]:
        self._seen.add(key)
        value = self._data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(key, "must be a table")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            raise self.error(unknown[0], "unknown key (check the spelling)")


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` and return a checked ``Config``; raise ``ConfigError`` on any problem."""
    environ = os.environ if environ is None else environ
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (copy config.example.toml)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None

    root = _Section(data, "", path)
    for name in SECTIONS:
        root.table(name)
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{path}: [{unknown[0]}]: unknown section (check the spelling)")

    config = Config(
        telegram=_telegram(_Section(root.table("telegram"), "telegram", path), environ),
        storage=_storage(_Section(root.table("storage"), "storage", path), path),
        limits=_limits(_Section(root.table("limits"), "limits", path)),
        training=_training(_Section(root.table("training"), "training", path)),
        prediction=_prediction(_Section(root.table("prediction"), "prediction", path)),
        access=_access(_Section(root.table("access"), "access", path)),
        corrections=_corrections(_Section(root.table("corrections"), "corrections", path)),
        playground=_playground(_Section(root.table("playground"), "playground", path)),
        webapp=_webapp(_Section(root.table("webapp"), "webapp", path)),
        source=path,
    )
    return config


def _telegram(section: _Section, environ: Mapping[str, str]) -> TelegramConfig:
    file_token = section.get("token", str, "")
    # No token is no mistake: the bot then runs in the local playground (see __main__).
    token = (environ.get(TOKEN_ENV_VAR) or file_token).strip()
    base_url = section.get("base_url", str, TELEGRAM_BASE_URL)
    base_file_url = section.get("base_file_url", str, TELEGRAM_BASE_FILE_URL)
    for key, url in (("base_url", base_url), ("base_file_url", base_file_url)):
        if not url.startswith(("http://", "https://")):
            raise section.error(key, f"must be an http(s) URL, got {url!r}")
    mode = section.get("mode", str, "polling")
    if mode not in ("polling", "webhook"):
        raise section.error("mode", f'must be "polling" or "webhook", got {mode!r}')
    webhook = _webhook(_Section(section.table("webhook"), "telegram.webhook", section.file))
    if mode == "webhook" and not token:
        raise section.error("token", f"webhook mode needs one: set it here or in ${TOKEN_ENV_VAR}")
    if mode == "webhook" and not webhook.url.startswith("https://"):
        raise ConfigError(
            f"{section.file}: [telegram.webhook] url: webhook mode needs the public "
            "https:// URL that Telegram posts to"
        )
    section.finish()
    return TelegramConfig(
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        mode=mode,
        webhook=webhook,
    )


def _webhook(section: _Section) -> WebhookConfig:
    defaults = WebhookConfig()
    port = section.positive("port", int, defaults.port)
    if port > 65535:
        raise section.error("port", f"must be a TCP port (1-65535), got {port}")
    webhook = WebhookConfig(
        listen=section.get("listen", str, defaults.listen),
        port=port,
        url=section.get("url", str, defaults.url),
        url_path=section.get("url_path", str, defaults.url_path),
        secret_token=section.get("secret_token", str, defaults.secret_token),
    )
    section.finish()
    return webhook


def _storage(section: _Section, config_path: Path) -> StorageConfig:
    defaults = StorageConfig()
    # Relative paths are relative to the config file, so the bot finds its data wherever
    # it is started from (and a Docker volume can hold both).
    base = config_path.parent
    database = Path(section.get("database", str, str(defaults.database)))
    models_dir = Path(section.get("models_dir", str, str(defaults.models_dir)))
    grace = section.positive("delete_after_removal_days", float, defaults.delete_after_removal_days)
    section.finish()
    return StorageConfig(
        database=base / database, models_dir=base / models_dir, delete_after_removal_days=grace
    )


def _limits(section: _Section) -> LimitsConfig:
    defaults = LimitsConfig()
    limits = LimitsConfig(
        max_download_bytes=section.positive("max_download_bytes", int, defaults.max_download_bytes),
        max_image_pixels=section.positive("max_image_pixels", int, defaults.max_image_pixels),
        max_samples_per_chat=section.positive(
            "max_samples_per_chat", int, defaults.max_samples_per_chat
        ),
        max_labels_per_chat=section.positive(
            "max_labels_per_chat", int, defaults.max_labels_per_chat
        ),
        uploads_per_user_per_minute=section.positive(
            "uploads_per_user_per_minute", int, defaults.uploads_per_user_per_minute
        ),
        label_window_minutes=section.positive(
            "label_window_minutes", float, defaults.label_window_minutes
        ),
        min_samples_per_label=section.positive(
            "min_samples_per_label", int, defaults.min_samples_per_label
        ),
    )
    if limits.max_download_bytes > TELEGRAM_DOWNLOAD_CAP:
        raise section.error(
            "max_download_bytes",
            f"Telegram serves at most 20 MB ({TELEGRAM_DOWNLOAD_CAP} bytes), "
            f"got {limits.max_download_bytes}",
        )
    section.finish()
    return limits


def _training(section: _Section) -> TrainingConfig:
    defaults = TrainingConfig()
    training = TrainingConfig(
        concurrency=section.positive("concurrency", int, defaults.concurrency),
        threads=section.positive("threads", int, defaults.threads),
        standby_workers=section.get("standby_workers", int, defaults.standby_workers),
    )
    if training.standby_workers < 0:
        raise section.error("standby_workers", "must be 0 or more")
    section.finish()
    return training


def _prediction(section: _Section) -> PredictionConfig:
    defaults = PredictionConfig()
    low_confidence = section.get("low_confidence", float, defaults.low_confidence)
    if not 0 <= low_confidence < 1:
        raise section.error("low_confidence", f"must be from 0 to below 1, got {low_confidence}")
    prediction = PredictionConfig(
        low_confidence=low_confidence,
        cache_size=section.positive("cache_size", int, defaults.cache_size),
        preprocess_workers=section.positive("preprocess_workers", int, defaults.preprocess_workers),
    )
    section.finish()
    return prediction


def _access(section: _Section) -> AccessConfig:
    commands = section.get("admin_commands", list, None)
    if commands is not None and (
        not isinstance(commands, list)
        or not all(isinstance(name, str) and _COMMAND_NAME.fullmatch(name) for name in commands)
    ):
        raise section.error("admin_commands", 'must be a list of command names, e.g. ["train"]')
    access = AccessConfig(
        user_ids=section.ids("user_ids"),
        chat_ids=section.ids("chat_ids"),
        admin_commands=None if commands is None else frozenset(c.lower() for c in commands),
    )
    section.finish()
    return access


def _corrections(section: _Section) -> CorrectionsConfig:
    defaults = CorrectionsConfig()
    after = section.get("retrain_offer_after", int, defaults.retrain_offer_after)
    if after < 0:
        raise section.error("retrain_offer_after", f"must be 0 (off) or more, got {after}")
    section.finish()
    return CorrectionsConfig(retrain_offer_after=after)


def _playground(section: _Section) -> PlaygroundConfig:
    defaults = PlaygroundConfig()
    host = section.get("host", str, defaults.host).strip()
    if not host:
        raise section.error("host", 'must be an address to listen on, e.g. "127.0.0.1"')
    port = section.positive("port", int, defaults.port)
    if port > 65535:
        raise section.error("port", f"must be a TCP port (1-65535), got {port}")
    classroom = section.get("classroom", bool, defaults.classroom)
    if not isinstance(classroom, bool):
        raise section.error("classroom", f"must be true or false, got {classroom!r}")
    language = section.get("language", str, defaults.language).strip().lower()
    if language not in ("en", "de"):
        raise section.error("language", f'must be "en" or "de", got {language!r}')
    section.finish()
    return PlaygroundConfig(host=host, port=port, classroom=classroom, language=language)


def _webapp(section: _Section) -> WebAppConfig:
    url = section.get("url", str, "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            raise section.error("url", f"must be a public https:// URL, got {url!r}")
        if parts.query or parts.fragment:
            # /draw appends the chat's labels and language as the query.
            raise section.error("url", f"must have no ?query or #fragment, got {url!r}")
    section.finish()
    return WebAppConfig(url=url)
