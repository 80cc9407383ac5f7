"""Config loading: defaults, overrides, and one clear line per mistake."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import ADMIN_COMMANDS, admin_commands
from bot.config import ConfigError, PlaygroundConfig, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_with_a_token_loads_with_the_documented_defaults(tmp_path: Path) -> None:
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    path = write(tmp_path, example.replace('token = ""', 'token = "1:abc"', 1))
    config = load_config(path, environ={})
    assert config.telegram.token == "1:abc"
    assert config.telegram.mode == "polling"
    assert config.storage.database == tmp_path / "data" / "smiley.sqlite3"
    assert config.limits.max_labels_per_chat == 10
    assert config.limits.label_window_minutes == 10.0
    assert config.access.user_ids == frozenset()
    assert config.access.admin_commands is None
    assert admin_commands(config) == ADMIN_COMMANDS
    # The example documents the default in a comment: it must say what the bot does.
    documented = next(line for line in example.splitlines() if "# admin_commands =" in line)
    assert set(ast.literal_eval(documented.split("=", 1)[1].strip())) == ADMIN_COMMANDS
    assert config.corrections.retrain_offer_after == 10
    assert config.prediction.preprocess_workers == 1


def test_environment_token_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "1:file"\n')
    config = load_config(path, environ={"SMILEY_BOT_TOKEN": "2:env"})
    assert config.telegram.token == "2:env"


def test_token_is_not_in_the_repr(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[telegram]\ntoken = "1:secret"\n'), environ={})
    assert "1:secret" not in repr(config)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[telegram]\nmode = "webhook"\n', "[telegram] token: webhook mode needs one"),
        ("[playground]\nport = 0\n", "[playground] port"),
        ("[playground]\nport = 70000\n", "[playground] port"),
        ('[playground]\nhost = ""\n', "[playground] host"),
        ("[playground]\nhots = 1\n", "[playground] hots: unknown key"),
        ('[playground]\nclassroom = "yes"\n', "[playground] classroom"),
        ('[playground]\nlanguage = "fr"\n', "[playground] language"),
        ('[telegram]\ntoken = "1:a"\nmode = "push"\n', "[telegram] mode"),
        ('[telegram]\ntoken = "1:a"\ntokn = "x"\n', "[telegram] tokn: unknown key"),
        ('[telegram]\ntoken = "1:a"\n[limits]\nmax_labels_per_chat = 0\n', "max_labels_per_chat"),
        (
            '[telegram]\ntoken = "1:a"\n[limits]\nmax_labels_per_chat = "ten"\n',
            "must be an integer",
        ),
        ('[telegram]\ntoken = "1:a"\n[limits]\nmax_download_bytes = 30000000\n', "20 MB"),
        ('[telegram]\ntoken = "1:a"\n[access]\nuser_ids = ["me"]\n', "[access] user_ids"),
        (
            '[telegram]\ntoken = "1:a"\n[access]\nadmin_commands = ["/train"]\n',
            "[access] admin_commands",
        ),
        ('[telegram]\ntoken = "1:a"\nmode = "webhook"\n', "[telegram.webhook] url"),
        ('[telegram]\ntoken = "1:a"\n[telegram.webhook]\nport = 70000\n', "port"),
        ('[telegram]\ntoken = "1:a"\nbase_url = "ftp://x"\n', "base_url"),
        ('[telegram]\ntoken = "1:a"\n[storrage]\n', "[storrage]: unknown section"),
        ("[telegram\n", "not valid TOML"),
        ('[telegram]\ntoken = "1:a"\n[prediction]\npreprocess_workers = 0\n', "preprocess_workers"),
        (
            '[telegram]\ntoken = "1:a"\n[corrections]\nretrain_offer_after = -1\n',
            "[corrections] retrain_offer_after: must be 0 (off) or more",
        ),
        (
            '[telegram]\ntoken = "1:a"\n[corrections]\nretrain_offer_after = 2.5\n',
            "[corrections] retrain_offer_after: must be an integer",
        ),
    ],
)
def test_mistakes_name_the_key_and_the_file(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml", environ={})


def test_main_prints_one_line_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "1:a"\nmode = "push"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "[telegram] mode" in lines[0] and str(path) in lines[0]
    assert "Traceback" not in result.stderr


def test_retrain_offer_can_be_turned_off(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "1:a"\n[corrections]\nretrain_offer_after = 0\n')
    assert load_config(path, environ={}).corrections.retrain_offer_after == 0
    default = load_config(write(tmp_path, '[telegram]\ntoken = "1:a"\n'), environ={})
    assert default.corrections.retrain_offer_after == 10


def test_webapp_url_is_an_https_page_without_a_query(tmp_path: Path) -> None:
    base = '[telegram]\ntoken = "1:a"\n'
    assert load_config(write(tmp_path, base), environ={}).webapp.url == ""
    page = "https://bot.example.org/webapp/draw.html"
    config = load_config(write(tmp_path, f'{base}[webapp]\nurl = "{page}"\n'), environ={})
    assert config.webapp.url == page
    for url, expected in (
        ("http://bot.example.org/draw.html", "must be a public https:// URL"),
        ("https:///draw.html", "must be a public https:// URL"),
        ("https://bot.example.org/draw.html?x=1", "no ?query"),
        ("https://bot.example.org/draw.html#top", "no ?query"),
    ):
        with pytest.raises(ConfigError, match="webapp") as caught:
            load_config(write(tmp_path, f'{base}[webapp]\nurl = "{url}"\n'), environ={})
        assert expected in str(caught.value)


def test_no_token_is_the_playground_on_loopback(tmp_path: Path) -> None:
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    config = load_config(write(tmp_path, example), environ={})
    assert config.is_playground
    assert config.telegram.token == ""
    assert (config.playground.host, config.playground.port) == ("127.0.0.1", 8080)
    assert load_config(write(tmp_path, ""), environ={}).is_playground
    with_token = load_config(write(tmp_path, example), environ={"SMILEY_BOT_TOKEN": "1:a"})
    assert not with_token.is_playground
    moved = write(tmp_path, '[playground]\nhost = "0.0.0.0"\nport = 9000\n')
    assert load_config(moved, environ={}).playground == PlaygroundConfig("0.0.0.0", 9000)
    assert not config.playground.classroom
    school = write(tmp_path, '[playground]\nhost = "192.168.1.20"\nclassroom = true\n')
    assert load_config(school, environ={}).playground.classroom
    german = write(tmp_path, '[playground]\nlanguage = "de"\n')
    assert load_config(german, environ={}).playground.language == "de"
