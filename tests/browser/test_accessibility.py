"""Accessibility of every main page in a real Chromium, checked by axe-core (the engine bundled
in the ``axe-playwright-python`` wheel, injected by Playwright; nothing is fetched): labels,
contrast, landmarks, headings, names of buttons and links. Plus keyboard use: the skip link is
the first stop and the focused control is visibly outlined; and the phone-sized layout never
scrolls sideways."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import Browse
from tests.browser.test_journeys import open_new_chat, sign_up

PHONE = {"width": 390, "height": 844}


def _violations(page: Page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _pages(page: Page, *, every: bool = False) -> list[str]:
    """Sign up, start a chat with one reply and add a memory; the main pages' paths (with
    ``every``, also the forms, confirmations and detail pages), signed in."""
    sign_up(page, "ada")
    open_new_chat(page)
    page.get_by_label("Your message").fill("My sister Ruth visits on Sunday")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_have_text("Reply complete.")
    # A crisis message, so the chat page carries a safety card when it is checked.
    page.get_by_label("Your message").fill("I want to end my life")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_have_text("Reply complete.")
    chat = urlsplit(page.url).path
    reply = page.locator("#messages li.from-companion").last.get_attribute("data-message-id")
    companion = page.get_by_role("link", name="Mira").first.get_attribute("href") or ""
    conversation = chat.rsplit("/", 1)[1]
    main = [
        "/companions",
        companion,
        chat,
        "/memory",
        "/privacy",
        "/privacy/audit",
        "/settings",
        "/reports",
        "/privacy/access",
    ]
    if not every:
        return main
    page.goto("/memory")
    add = page.get_by_role("region", name="Add a memory")
    add.get_by_label("What to remember").fill("Ruth is my sister")
    add.get_by_role("button", name="Add memory").click()
    expect(page).to_have_url(re.compile(r"/memory/[0-9a-f]+"))  # the new memory's own page
    memory = urlsplit(page.url).path
    return [
        *main,
        "/companions/new",
        f"{companion}/edit",
        f"{companion}/delete",
        f"/conversations/{conversation}/delete",
        f"/messages/{reply}/why",
        memory,
        "/privacy/consents",
        "/privacy/erase/conversations",
        "/privacy/erase/memories",
        "/privacy/erase/account",
        f"/reports/new?conversation={conversation}&message={reply}",
    ]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_main_page_passes_axe(browse: Browse, dark: bool) -> None:
    page = browse.page(color_scheme="dark" if dark else "light")
    found: dict[str, list[str]] = {}
    for path in ("/", "/signup", "/login", "/staff/login"):
        page.goto(path)
        found[path] = _violations(page)
    for path in _pages(page, every=True):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found[path] = _violations(page)
    assert len(found) == 24
    assert {p: v for p, v in found.items() if v} == {}
    # Signed out: the deletion-cancel form.
    page.context.clear_cookies()
    page.goto("/account/deletion/cancel")
    assert _violations(page) == []


def test_keyboard_skip_link_first_and_focus_visible(browse: Browse) -> None:
    page = browse.page()
    page.goto("/signup")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    # Then the form is reachable by Tab alone, each control outlined when focused.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.locator(":focus").get_attribute("id") == "username":
            break
    expect(page.locator(":focus")).to_have_attribute("id", "username")
    width = page.locator(":focus").evaluate("e => getComputedStyle(e).outlineWidth")
    assert width not in ("0px", "")


def test_phone_layout_never_scrolls_sideways(browse: Browse) -> None:
    page = browse.page(viewport=PHONE)
    paths = ["/", "/signup", *_pages(page, every=True)]
    wide = {}
    for path in paths:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide[path] = overflow
    assert wide == {}
    assert re.search(r"/chat/", " ".join(paths))


def test_staff_pages_pass_axe(browse: Browse) -> None:
    services = browse.server.services
    services.staff.create("vera", "safety", "staff password for tests")
    user = browse.page()
    sign_up(user, "ada")
    open_new_chat(user)
    user.get_by_label("Your message").fill("hello")
    user.get_by_role("button", name="Send").click()
    expect(user.get_by_role("status")).to_have_text("Reply complete.")
    user.locator("#messages li.from-companion").last.get_by_role("link", name="Report").click()
    user.get_by_label("What is wrong").select_option("other")
    user.get_by_role("button", name="Send the report").click()
    expect(user).to_have_url(re.compile(r"/reports\?done=filed$"))

    staff = browse.page()
    staff.goto("/staff/login")
    staff.get_by_label("Username").fill("vera")
    staff.get_by_label("Password").fill("staff password for tests")
    staff.get_by_role("button", name="Sign in").click()
    request = staff.get_by_role("region", name="Ask for access")
    request.get_by_label("Username").fill("ada")
    request.get_by_label("Case reference").fill("R-1")
    request.get_by_label(re.compile("Reason")).fill("Reviewing the report the user filed.")
    request.get_by_role("button", name="Ask for access").click()
    grant = staff.get_by_role("link", name="Open the grant for case R-1").get_attribute("href")
    staff.goto("/staff/reports")
    review = staff.locator("a[href^='/staff/reports/']").first.get_attribute("href")
    found = {}
    for path in ("/staff", grant, "/staff/reports", review, "/staff?username=ada"):
        assert path is not None
        staff.goto(path)
        expect(staff.get_by_role("heading", level=1)).to_be_visible()
        found[path] = _violations(staff)
    assert {p: v for p, v in found.items() if v} == {}
