"""``tui-nn serve`` in a real browser (headless Chromium via Playwright): a tab
draws the playground, trains on space, saves the model as a download; closing
the tab ends its processes; past the session limit the next tab is told the
class is full. Skipped, saying what to install, without Chromium."""

from __future__ import annotations

import time

import pytest
from browser_helpers import (
    focus_terminal,
    launch,
    need_browser,
    open_tab,
    processes_of,
    served,
    wait_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playwright():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def test_a_tab_trains_and_saves_the_model_as_a_download(playwright, tmp_path) -> None:
    from tui_nn.io.model_files import load_model

    with served("spiral") as (url, server):
        browser = launch(playwright)
        try:
            page, terminal = open_tab(browser, url)
            wait_for(page, lambda: "PAUSED" in terminal.text and terminal.epoch() == 0, what="the playground")
            assert "dataset" in terminal.text and "spiral" in terminal.text  # the settings and the title drew
            focus_terminal(page)
            page.keyboard.press(" ")
            wait_for(page, lambda: (terminal.epoch() or 0) >= 5, what="the epoch to advance")
            page.keyboard.press(" ")  # pause again: the model saved is the one on screen

            # textual-serve opens the download's URL in a new tab, which Chromium
            # closes as the download starts; Playwright reports it on the opener.
            downloads: list = []
            page.on("download", lambda d: downloads.append(d))
            page.keyboard.press("Control+p")
            page.wait_for_timeout(500)
            page.keyboard.type("Save model")
            page.wait_for_timeout(500)
            page.keyboard.press("Enter")
            wait_for(page, lambda: downloads, what="the download")
            download = downloads[0]
            assert download.suggested_filename == "spiral.npz"
            failure = download.failure()  # once the download ends
            assert failure is None, f"the download failed ({failure}); the server printed: {server.lines[-20:]}"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            config, arrays, epoch = load_model(saved)
            assert config.name == "spiral" and epoch >= 5
            assert arrays["W0"].shape == (2, 8)
            wait_for(page, lambda: "sent to the browser" in terminal.text, what="the app to say so")
            assert terminal.garbled == 0
        finally:
            browser.close()


def test_closing_the_tab_ends_every_process_of_it(playwright) -> None:
    with served("spiral") as (url, server):
        browser = launch(playwright)
        try:
            page, terminal = open_tab(browser, url)
            wait_for(page, lambda: terminal.epoch() == 0, what="the playground")
            focus_terminal(page)
            page.keyboard.press(" ")
            wait_for(page, lambda: (terminal.epoch() or 0) >= 2, what="training")
            running = processes_of(server.pid)
            assert len(running) >= 2, running  # the app and its trainer
            page.close()
            started = time.monotonic()
            while processes_of(server.pid) and time.monotonic() - started < 10:
                time.sleep(0.1)
            assert processes_of(server.pid) == [], "processes left 10 s after the tab closed"
        finally:
            browser.close()


def test_past_the_session_limit_a_tab_is_told_the_class_is_full(playwright) -> None:
    with served("spiral", "--max-sessions", "1") as (url, server):
        browser = launch(playwright)
        try:
            first, terminal = open_tab(browser, url)
            wait_for(first, lambda: terminal.epoch() == 0, what="the first playground")
            second, terminal2 = open_tab(browser, url)
            assert terminal2.response.status == 503
            assert "The class is full: all 1 places on this server are taken" in second.inner_text("body")
            assert terminal2.frames == 0  # no playground was started for it
            first.close()
            wait_for(second, lambda: processes_of(server.pid) == [], what="the first tab's processes to end")
            response = second.reload()
            assert response is not None and response.status == 200
            wait_for(second, lambda: terminal2.epoch() == 0, what="a place once the first tab closed")
        finally:
            browser.close()


def test_a_tab_whose_app_hangs_is_still_ended_when_it_closes(playwright) -> None:
    """The app told to quit cannot answer (stopped with SIGSTOP): its whole process
    group is killed STOP_SECONDS later, the trainer with it."""
    import os
    import signal

    from tui_nn.serve.server import STOP_SECONDS

    with served("spiral") as (url, server):
        browser = launch(playwright)
        try:
            page, terminal = open_tab(browser, url)
            wait_for(page, lambda: terminal.epoch() == 0, what="the playground")
            running = processes_of(server.pid)
            apps = [pid for pid in running if os.getpgid(pid) == pid]  # the group leader: the app
            assert len(apps) == 1, running
            os.kill(apps[0], signal.SIGSTOP)
            page.close()
            started = time.monotonic()
            while processes_of(server.pid) and time.monotonic() - started < STOP_SECONDS + 7:
                time.sleep(0.1)
            assert processes_of(server.pid) == []
            assert time.monotonic() - started >= STOP_SECONDS - 0.5  # it was given its chance first
        finally:
            browser.close()
