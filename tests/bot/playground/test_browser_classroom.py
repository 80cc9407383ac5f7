"""A pupil and the teacher in a real browser: the classroom's join page and teacher's page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from bot.playground import Playground, playground
from tests.bot.playground.test_browser import CHROMIUM, CHROMIUM_FLAGS, pytestmark
from tests.bot.playground.test_classroom import classroom_config

__all__ = ["pytestmark"]  # chromium or skip, as for the other browser test


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Playground]:
    async with playground(classroom_config(tmp_path)) as started:
        yield started


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def test_a_pupil_joins_in_german_and_the_teacher_sees_the_pin(
    running: Playground, browser: Browser
) -> None:
    assert running.classroom is not None
    pupil = await (await browser.new_context(locale="de-DE")).new_page()
    problems: list[str] = []
    pupil.on("pageerror", lambda error: problems.append(str(error)))
    await pupil.goto(running.url)
    await expect(pupil.get_by_role("heading", level=2)).to_have_text("Mach mit in der Klasse")
    await pupil.get_by_label("PIN").fill("x")
    await pupil.get_by_label("Dein Vorname").fill("Lena")
    await pupil.get_by_role("button", name="Mitmachen").click()
    await expect(pupil.get_by_role("alert")).to_have_text(
        "Die PIN stimmt nicht. Schau noch mal genau hin."
    )
    await pupil.get_by_label("PIN").fill(running.classroom.pin)
    await pupil.get_by_role("button", name="Mitmachen").click()
    # The chat with the canvas, in German, and the bot's welcome to the class.
    await expect(pupil.locator("#messages")).to_contain_text("Willkommen in der Klasse, Lena!")
    await expect(pupil.locator("#canvas-frame")).to_be_visible()
    await expect(pupil.locator(".mode")).to_have_text("Klasse · im Schulnetz, ohne Telegram")
    assert problems == [], problems

    teacher = await (await browser.new_context()).new_page()
    await teacher.goto(running.teacher_url)
    assert teacher.url == running.url + "teacher"  # the key is out of the address bar
    await expect(teacher.locator("#pin")).to_have_text(running.classroom.pin)
    await expect(teacher.locator("#pupils")).to_contain_text("Lena")
    await expect(teacher.locator("#messages")).to_contain_text("pupils who joined: 1 ")
    # The bot's Telegram link and its QR code would lead pupils to Telegram: hidden here.
    await expect(teacher.locator("#messages li", has_text="https://t.me/")).to_be_hidden()

    # The page's own QR code carries the PIN after '#': the join page fills it in.
    second = await (await browser.new_context()).new_page()
    await second.goto(f"{running.url}#pin={running.classroom.pin}")
    await expect(second.get_by_label("PIN")).to_have_value(running.classroom.pin)
    assert second.url == running.url
