"""The live SLA board in a real headless Chromium on a phone-sized window (Debian's `chromium`
and `chromedriver`, through selenium): opened with an agent's token in the URL fragment, it
shows a P1 ticket opened by email as soon as sla-timer has it, turns the row amber at 75 % and
red with the word "breached" when the simulated clock moves past the response deadline, all
without reloading the page. Leaves a screenshot in the test's tmp_path (its path is printed).
A missing browser or driver fails the test: it is never skipped."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
MONDAY = "2026-11-30T{}:00-08:00"  # P1 response: 4 h, 24x7 → due 13:00, 75 % at 12:00


def set_clock(stack, at: str) -> None:
    done = subprocess.run([HOTLINE, "clock", "set", at], env=stack.env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def browser():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"the board's browser test needs Debian's chromium and chromium-driver: "
                    f"{', '.join(missing)} missing (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=390,844", "--disable-gpu"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


def drive(stack, tmp_path: Path) -> Path:
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    set_clock(stack, MONDAY.format("09:00"))
    driver = browser()
    try:
        driver.get(f"{stack.url('sla-timer')}/board#token={stack.tokens['agent']}")

        def wait_for(what: str, condition, timeout: float = 30.0):
            try:
                # a live update may replace a row between finding it and reading it: look again
                return WebDriverWait(driver, timeout, poll_frequency=0.2,
                                     ignored_exceptions=(StaleElementReferenceException,)
                                     ).until(lambda d: condition())
            except TimeoutException:
                status = driver.find_element(By.ID, "status").text
                pytest.fail(f"the board never showed {what} (status {status!r}):\n"
                            f"{driver.find_element(By.TAG_NAME, 'body').text[:3000]}")

        wait_for("itself live", lambda: driver.find_element(By.ID, "status").text == "live")
        assert "#token" not in driver.current_url  # the token left the address bar
        driver.execute_script("window.__marker = 1")  # gone if the page reloads

        code, reply = send(stack, email())  # a P1, by email
        assert code == 250, reply
        number = ticket_number(reply)

        def row():
            found = driver.find_elements(By.ID, f"row-{number}")
            return found[0] if found else None

        def read(what):
            """`what(row())`, found again if a live update replaced the row meanwhile."""
            for _ in range(20):
                try:
                    return what(row())
                except StaleElementReferenceException:
                    time.sleep(0.05)
            return what(row())

        wait_for(f"a row for {number}", lambda: row() is not None)
        assert read(lambda r: r.get_attribute("data-level")) == "ok", read(lambda r: r.text)
        assert "P1" in read(lambda r: r.text) and "response" in read(lambda r: r.text)

        set_clock(stack, MONDAY.format("12:00"))
        wait_for(f"{number} at 75 %", lambda: "lvl-warning-75" in row().get_attribute("class"))
        assert "75%" in read(lambda r: r.text)

        set_clock(stack, MONDAY.format("13:01"))
        wait_for(f"{number} breached", lambda: "lvl-breached" in row().get_attribute("class"))
        assert "breached" in read(lambda r: r.text)
        assert driver.execute_script("return window.__marker") == 1, "the page reloaded"

        read(lambda r: driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", r))
        shot = tmp_path / "board.png"
        assert driver.save_screenshot(str(shot)), "no screenshot"
        return shot
    finally:
        driver.quit()


async def test_the_board_shows_an_emailed_ticket_and_its_breach_live_in_a_phone_browser(stack, tmp_path):
    shot = await asyncio.to_thread(drive, stack, tmp_path)
    assert shot.stat().st_size > 1000
    print(f"board screenshot: {shot}")
