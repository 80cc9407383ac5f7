"""A person in a real browser: the playground's web chat with the embedded drawing canvas.

Headless Chromium from Debian (/usr/bin/chromium) driven by Playwright's async API, so the
browser and the in-process playground share one event loop; Playwright never downloads a
browser here (``executable_path``). It saves a screenshot in its tmp directory; with
SMILEY_UPDATE_SCREENSHOT=1 also as the README's docs/pictures/playground.png.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from playwright.async_api import Page, async_playwright, expect

from bot.config import Config, LimitsConfig, PlaygroundConfig, StorageConfig, TelegramConfig
from bot.playground import Playground, playground
from model.synthetic import smiley_bytes
from tests.bot.conftest import TEST_TRAINING

CHROMIUM = Path("/usr/bin/chromium")
# Offline: no background connections to Google (updates, sync), which a closed network
# refuses many at a time.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "docs" / "pictures" / "playground.png"
SAMPLES_PER_LABEL = 5  # the default [limits] min_samples_per_label

# Skipped on a developer's machine without chromium; CI (which sets CI) must run it.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium)",
)


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Playground]:
    config = Config(
        telegram=TelegramConfig(token=""),
        storage=StorageConfig(database=tmp_path / "smiley.sqlite3", models_dir=tmp_path / "models"),
        limits=LimitsConfig(),
        training=TEST_TRAINING,
        playground=PlaygroundConfig(host="127.0.0.1", port=0),
        source=tmp_path / "config.toml",
    )
    async with playground(config) as started:
        yield started
        assert started.telegram.violations == []


@pytest.fixture
async def page(running: Playground) -> AsyncIterator[Page]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 860}, device_scale_factor=1
            )
            opened = await context.new_page()
            problems: list[str] = []
            opened.on("pageerror", lambda error: problems.append(str(error)))
            await opened.goto(running.url)
            yield opened
            assert problems == [], problems
        finally:
            await browser.close()


def smiley_strokes(kind: str, scale: float, points: int = 24) -> list[list[tuple[float, float]]]:
    """Strokes of a smiley in the canvas's unit square: face, two eyes, a mouth.

    ``scale`` (about 0.6 to 1) makes drawings differ: the bot refuses an exact repeat.
    """

    def at(x: float, y: float) -> tuple[float, float]:
        return (0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale)

    face = [
        at(0.5 + 0.4 * math.cos(a), 0.5 + 0.4 * math.sin(a))
        for a in np.linspace(0, 2 * math.pi, points * 2)
    ]
    eyes = [[at(0.36, 0.38), at(0.37, 0.44)], [at(0.64, 0.38), at(0.63, 0.44)]]
    curve = 1 if kind == "smile" else -1
    mouth = [
        at(x, 0.66 + curve * 0.1 * (1 - ((x - 0.5) / 0.2) ** 2))
        for x in np.linspace(0.3, 0.7, points)
    ]
    return [face, *eyes, mouth]


async def draw(page: Page, kind: str, scale: float) -> None:
    """Draw with the mouse on the canvas inside the iframe: real pointer events."""
    frame = page.frame_locator("#canvas-frame")
    canvas = frame.locator("#canvas")
    await canvas.wait_for()
    box = await canvas.bounding_box()
    assert box is not None
    mouse = page.mouse
    for stroke in smiley_strokes(kind, scale):
        x, y = stroke[0]
        await mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        await mouse.down()
        for x, y in stroke[1:]:
            await mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=2)
        await mouse.up()


async def bot_says(page: Page, text: str, timeout: float = 30_000) -> str:  # noqa: ASYNC109
    """Wait for a bot bubble containing ``text``; return its whole text."""
    bubble = page.locator(".from-bot .bubble", has_text=text).last
    await bubble.wait_for(timeout=timeout)
    return str(await bubble.inner_text())


async def test_draw_label_train_and_predict_in_the_browser(page: Page, tmp_path: Path) -> None:
    try:
        await draw_label_train_and_predict(page, tmp_path)
    except BaseException:
        # What the person saw when it went wrong, beside the test's other files.
        await page.screenshot(path=str(tmp_path / "failure.png"))
        print(await page.locator("#messages").inner_text())
        raise


async def draw_label_train_and_predict(p: Page, tmp_path: Path) -> None:
    """Start, label two drawings and eight uploads, train, predict a new drawing."""
    assert "local playground" in (await p.locator("header").inner_text()).lower()
    await p.fill("#text", "/start")
    await p.press("#text", "Enter")
    await bot_says(p, "Hi You")

    # Two drawings labelled on the canvas itself ("Label as …" buttons).
    frame = p.frame_locator("#canvas-frame")
    for kind in ("smile", "sad"):
        await draw(p, kind, scale=0.9)
        await frame.locator(f'button[data-draw-label="{kind}"]').click()
        await p.locator(".from-user .service").nth(0 if kind == "smile" else 1).wait_for()

    # The rest of the samples as picture uploads through the page's file control.
    rng = np.random.default_rng(7)
    uploaded = 0
    for kind in ("smile", "sad"):
        files = []
        for index in range(SAMPLES_PER_LABEL - 1):
            path = tmp_path / f"{kind}-{index}.png"
            path.write_bytes(smiley_bytes(kind, rng, "digital", fmt="PNG", size=200))
            files.append(str(path))
        await p.fill("#text", f"/label {kind}")
        await p.set_input_files("#file", files)
        uploaded += len(files)
        await expect(p.locator(".from-user img")).to_have_count(uploaded)

    await p.fill("#text", "/set epochs 20")
    await p.press("#text", "Enter")
    await bot_says(p, "epochs is now 20")
    await p.fill("#text", "/train")
    await p.press("#text", "Enter")
    # The worker trains at idle priority, behind every busy test process: as the queue's
    # end-to-end tests, give it two minutes.
    report = await bot_says(p, "Training finished", timeout=120_000)
    assert "smile" in report and "sad" in report
    # The pictures of the training come last: wait for the last, the sheet of the misclassified
    # drawings or the chart that says none was, so that the prediction follows.
    await bot_says(p, "misclassified", timeout=30_000)

    # A new drawing, predicted by the freshly trained model.
    await draw(p, "smile", scale=0.7)
    await frame.locator("#predict").click()
    prediction = p.locator(".from-bot", has=p.locator(".inline-keyboard")).last
    await prediction.wait_for(timeout=30_000)
    text = await prediction.inner_text()
    assert "%" in text
    assert "smile" in text and "sad" in text

    # One more smiley on the canvas, left unsent, so the picture shows what the page is for.
    await draw(p, "smile", scale=0.8)
    await p.screenshot(path=str(tmp_path / "playground.png"))
    if os.environ.get("SMILEY_UPDATE_SCREENSHOT"):  # the README's picture, on request
        shutil.copyfile(tmp_path / "playground.png", SCREENSHOT)
