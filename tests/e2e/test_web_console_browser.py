"""The web console in a real headless Chromium (Debian's `chromium` and `chromedriver`, through
selenium), against the running stack, with an axe-core accessibility check of each page it
visits (no serious or critical violation). Four scenarios, each leaving a screenshot:

1. A contact signs in through the link emailed to the mail sink, opens a ticket with the form,
   and sees it listed with its response due time.
2. An agent signs in with a token and replies from the console; the contact sees the reply
   after a reload.
3. A contact of Globex cannot see an Acme ticket: 404, as for a ticket that does not exist.
4. A form posted without its CSRF token is refused, and nothing is recorded.
A missing browser or driver fails the tests: they are never skipped."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from stack_cli import set_clock
from test_sla_board_browser import browser

pytestmark = pytest.mark.e2e
ACME, GLOBEX = "noc@acme.example", "support@globex.example"
LINK = re.compile(r"https?://\S+/portal/login/[\w-]+")


def axe_check(driver, page: str) -> None:
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{page}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in bad)


def sign_in_link(stack, driver, address: str) -> None:
    """Ask for a link in the browser, take it from the mail sink, and sign in with it."""
    from selenium.webdriver.common.by import By

    since = stack.mail_count()
    driver.get(f"{stack.url('intake')}/portal/login")
    axe_check(driver, "/portal/login")
    driver.find_element(By.ID, "email").send_keys(address)
    press(driver, By.CSS_SELECTOR, "form.card button")
    assert "Check your email" in driver.find_element(By.TAG_NAME, "h1").text
    link = None
    for _ in range(100):
        mails = [m for m in stack.mails(since) if m["To"] == address and "sign-in" in (m["Subject"] or "")]
        if mails:
            link = LINK.search(mails[-1].get_body(("plain",)).get_content()).group(0)
            break
        time.sleep(0.2)
    assert link, f"no sign-in link reached {address}"
    driver.get(link)
    press(driver, By.ID, "sign-in")
    assert driver.current_url.endswith("/portal"), driver.current_url


def press(driver, by: str, what: str) -> None:
    """Click what `by`/`what` finds and wait until the page it loads has replaced this one."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    for attempt in range(5):  # the queue's live update may swap the element out: find it again
        try:
            driver.find_element(by, what).click()
            break
        except StaleElementReferenceException:
            if attempt == 4:
                raise
            time.sleep(0.1)

    def replaced(_) -> bool:
        try:
            page.is_enabled()  # any call on the old page's element fails once it is gone
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 30, poll_frequency=0.1).until(replaced)


def shot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 1000
    print(f"screenshot: {path}")
    return path


def open_ticket_in_portal(stack, driver, tmp_path: Path) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    set_clock(stack, "2026-12-09T10:00:00-08:00")  # Wednesday, in Standard Support Hours
    sign_in_link(stack, driver, ACME)
    axe_check(driver, "/portal")
    press(driver, By.LINK_TEXT, "Open a ticket")
    axe_check(driver, "/portal/new")
    press(driver, By.CSS_SELECTOR, "form.card button[type=submit]")  # empty: errors
    assert "Say in a few words what is wrong." in driver.page_source
    Select(driver.find_element(By.ID, "location")).select_by_visible_text("100 Main St, Springfield")
    driver.find_element(By.ID, "issue").send_keys("Calls to 212 fail")
    press(driver, By.CSS_SELECTOR, "form.card button[type=submit]")
    assert "Describe the problem" in driver.page_source
    assert driver.find_element(By.ID, "issue").get_attribute("value") == "Calls to 212 fail"  # kept
    driver.find_element(By.ID, "description").send_keys("Since 09:40 every call to 212 gets a fast busy.")
    driver.find_element(By.ID, "priority-2").click()
    press(driver, By.CSS_SELECTOR, "form.card button[type=submit]")
    heading = driver.find_element(By.TAG_NAME, "h1").text
    number = heading.split(":")[0]
    assert re.fullmatch(r"T-\d{6,}", number) and "Calls to 212 fail" in heading
    press(driver, By.LINK_TEXT, "← All tickets")
    row = driver.find_element(By.ID, number)
    # P2 response: 8 support hours from Wednesday 10:00 → 18:00 Pacific
    assert "response: running, due Wed 2026-12-09 18:00 PST" in row.text, row.text
    shot(driver, tmp_path, "portal-ticket-listed")
    for _ in range(150):  # the same confirmation as an emailed ticket's, to the contact
        if any(number in (m["Subject"] or "") and m["To"] == ACME for m in stack.mails()):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"no confirmation of {number} reached {ACME}")
    return number


def scenarios(stack, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    contact, agent = browser(), browser()
    try:
        number = open_ticket_in_portal(stack, contact, tmp_path)

        # 2: the agent replies; the contact sees it after a reload
        agent.get(f"{stack.url('intake')}/console/login")
        axe_check(agent, "/console/login")
        agent.find_element(By.ID, "token").send_keys(stack.tokens["agent"])
        press(agent, By.CSS_SELECTOR, "form.card button")
        assert agent.find_element(By.ID, number)  # in the queue
        axe_check(agent, "/console")
        press(agent, By.LINK_TEXT, number)
        axe_check(agent, f"/console/tickets/{number}")
        agent.find_element(By.ID, "message").send_keys("We are rerouting 212 through a second carrier.")
        press(agent, By.CSS_SELECTOR, "form.card button[type=submit]")
        assert "rerouting 212" in agent.find_element(By.ID, "conversation").find_element(By.XPATH, "..").text
        shot(agent, tmp_path, "console-replied")
        contact.get(f"{stack.url('intake')}/portal/tickets/{number}")
        axe_check(contact, f"/portal/tickets/{number}")
        assert "We are rerouting 212 through a second carrier." in contact.page_source
        shot(contact, tmp_path, "portal-sees-reply")

        # 4: a form without its CSRF token is refused, and adds nothing
        contact.execute_script("document.querySelector('form.card input[name=csrf]').remove()")
        contact.find_element(By.ID, "message").send_keys("This must not be recorded.")
        press(contact, By.CSS_SELECTOR, "form.card button[type=submit]")
        assert "Form refused" in contact.find_element(By.TAG_NAME, "h1").text
        shot(contact, tmp_path, "csrf-refused")
        contact.get(f"{stack.url('intake')}/portal/tickets/{number}")
        assert "This must not be recorded." not in contact.page_source
        acme_session = contact.get_cookie("hotline_session")["value"]
        refused = httpx.post(f"{stack.url('intake')}/portal/tickets/{number}/reply",
                             data={"message": "forged"}, cookies={"hotline_session": acme_session})
        assert refused.status_code == 403

        # 3: Globex cannot see Acme's ticket (404, like a ticket that does not exist)
        globex = browser()
        try:
            sign_in_link(stack, globex, GLOBEX)
            assert number not in globex.page_source
            globex.get(f"{stack.url('intake')}/portal/tickets/{number}")
            assert "No such ticket" in globex.find_element(By.TAG_NAME, "h1").text
            shot(globex, tmp_path, "globex-404")
            session = globex.get_cookie("hotline_session")["value"]
            for ticket in (number, "T-999999"):
                seen = httpx.get(f"{stack.url('intake')}/portal/tickets/{ticket}",
                                 cookies={"hotline_session": session})
                assert seen.status_code == 404 and number not in seen.text.replace(f"ticket {number} for", "")
        finally:
            globex.quit()
    finally:
        contact.quit()
        agent.quit()


async def test_the_web_console_in_a_browser(stack, tmp_path):
    await asyncio.to_thread(scenarios, stack, tmp_path)


async def test_sign_in_links_expire_are_used_once_and_are_rate_limited(stack):
    set_clock(stack, "2026-12-09T11:00:00-08:00")
    base = stack.url("intake")
    async with httpx.AsyncClient(base_url=base) as client:
        form = await client.get("/portal/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        since = stack.mail_count()
        sent = await client.post("/portal/login", data={"email": GLOBEX, "csrf": csrf})
        assert sent.status_code == 200 and "Check your email" in sent.text
        [mail] = await stack.wait_for_mail(lambda m: m["To"] == GLOBEX, since=since)
        link = LINK.search(mail.get_body(("plain",)).get_content()).group(0)
        path = link[link.index("/portal/"):]
        assert (await client.get(path)).status_code == 200
        set_clock(stack, "2026-12-09T11:16:00-08:00")
        expired = await client.get(path)
        assert expired.status_code == 410 and "expired" in expired.text and 'name="email"' in expired.text
        assert (await client.post(path, data={"csrf": csrf})).status_code == 303  # back to the page
        nobody = "nobody@elsewhere.example"
        answers = [(await client.post("/portal/login", data={"email": nobody, "csrf": csrf})).status_code
                   for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        unregistered = [m for m in stack.mails(since) if m["To"] == nobody]
        assert unregistered == []  # never sent, and the page did not say so
        bad = await client.post("/portal/login", data={"email": "not an address", "csrf": csrf})
        assert bad.status_code == 422 and "registered for your company" in bad.text
        forged = await client.post("/portal/login", data={"email": GLOBEX})
        assert forged.status_code == 403


async def test_the_portal_works_without_javascript_and_its_cookie_is_secure_behind_tls(stack):
    """Plain form posts (what a browser without JavaScript sends) sign in, open a ticket and
    reply; the session cookie is HttpOnly and SameSite, and Secure when the request came over
    TLS (here: a proxy's X-Forwarded-Proto)."""
    set_clock(stack, "2026-12-09T12:00:00-08:00")
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/portal/login")).text).group(1)
        since = stack.mail_count()
        assert (await client.post("/portal/login", data={"email": ACME, "csrf": csrf})).status_code == 200
        [mail] = await stack.wait_for_mail(lambda m: m["To"] == ACME and "sign-in" in m["Subject"], since=since)
        path = (link := LINK.search(mail.get_body(("plain",)).get_content()).group(0))[link.index("/portal/"):]
        signed = await client.post(path, data={"csrf": csrf}, headers={"X-Forwarded-Proto": "https"})
        assert signed.status_code == 303 and signed.headers["location"] == "/portal"
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        session = signed.cookies["hotline_session"]
        client.cookies.set("hotline_session", session)
        form = (await client.get("/portal/new")).text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        opened = await client.post("/portal/new", data={
            "csrf": token, "location": "100 Main St, Springfield", "issue": "No-JS ticket",
            "description": "Opened with plain form posts.", "priority": "3"})
        assert opened.status_code == 303
        number = re.search(r"T-\d{6,}", opened.headers["location"]).group(0)
        replied = await client.post(f"/portal/tickets/{number}/reply", data={"csrf": token, "message": "Any news?"})
        assert replied.status_code == 303
        page = (await client.get(f"/portal/tickets/{number}")).text
        assert "No-JS ticket" in page and "Any news?" in page
        # the same sign-in over plain HTTP: no Secure flag (the browser would not send it back)
        since = stack.mail_count()
        assert (await client.post("/portal/login", data={"email": ACME, "csrf": csrf})).status_code == 200
        [mail] = await stack.wait_for_mail(lambda m: m["To"] == ACME and "sign-in" in m["Subject"], since=since)
        path = (link := LINK.search(mail.get_body(("plain",)).get_content()).group(0))[link.index("/portal/"):]
        plain = await client.post(path, data={"csrf": csrf})
        assert plain.status_code == 303 and "secure" not in plain.headers["set-cookie"].lower()
