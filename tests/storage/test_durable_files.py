"""Files put in place whole: renamed in order, their directories flushed."""

import os
from pathlib import Path

import pytest

from storage.durable_files import move_into_place, sync_directory


def test_files_are_moved_in_order_and_their_directories_flushed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [tmp_path / "job" / name for name in ("m.keras", "m.tflite", "m.json")]
    for source in sources:
        source.parent.mkdir(exist_ok=True)
        source.write_text(source.name)
    targets = [tmp_path / "models" / "1" / f"run-3{source.suffix}" for source in sources]
    renamed: list[str] = []
    synced: list[Path] = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append(Path(b).name), replace(a, b)))
    monkeypatch.setattr("storage.durable_files.sync_directory", synced.append)
    move_into_place(list(zip(sources, targets, strict=True)))
    assert renamed == ["run-3.keras", "run-3.tflite", "run-3.json"]  # the sidecar last
    assert synced == [tmp_path / "models" / "1"]
    assert [target.read_text() for target in targets] == ["m.keras", "m.tflite", "m.json"]
    assert not any(source.exists() for source in sources)


def test_a_directory_can_be_flushed(tmp_path: Path) -> None:
    sync_directory(tmp_path)
    with pytest.raises(FileNotFoundError):
        sync_directory(tmp_path / "missing")
