"""Journeys through the web app in a real Chromium: sign-up and a streamed chat, the age gate,
CSRF refusals, and the same chat without JavaScript (promises P7, P12, P14)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page, expect

from confide.llm.fake import FakeProvider
from tests.browser.conftest import Browse
from tests.browser.live import LiveServer
from tests.factories import PASSWORD

ADULT_DOB = "1990-05-17"


def sign_up(
    page: Page, username: str = "alice", *, dob: str = ADULT_DOB, memory: str = "on"
) -> None:
    page.goto("/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Date of birth").fill(dob)
    page.get_by_label(f"Memory {memory}").check()
    page.get_by_role("button", name="Create account").click()


def open_new_chat(page: Page, starter: str = "Mira") -> None:
    """From the gallery: start from a starter companion, then a new conversation."""
    page.get_by_role("button", name=f"Start with {starter}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(starter)
    page.get_by_role("button", name="Start conversation").click()
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+$"))
    # The URL changes before the page's deferred chat.js runs; a send clicked in between
    # would post the form the no-JavaScript way.
    page.wait_for_load_state("load")


def companion_messages(page: Page) -> Locator:
    return page.locator("#messages li.from-companion")


def test_journey_signup_starter_chat_streams_labelled_reply(browse: Browse) -> None:
    page = browse.page()
    page.goto("/")
    expect(page.get_by_text("Every companion message is AI-generated.").first).to_be_visible()
    expect(page.get_by_text("fake-model").first).to_be_visible()
    page.get_by_role("link", name="Sign up").first.click()
    sign_up(page)
    expect(page).to_have_url(re.compile(r"/companions$"))
    expect(page.get_by_text("Signed in as")).to_contain_text("alice")
    open_new_chat(page)
    # The greeting is the companion's, labelled as AI-generated.
    expect(companion_messages(page)).to_have_count(1)
    expect(companion_messages(page).first.locator(".ai-label")).to_have_text("AI-generated")

    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_hidden()
    page.get_by_label("Your message").fill("I walked my dog Pepper on the beach today")
    page.get_by_role("button", name="Send").click()
    # While the reply streams the Stop button is offered; the reply grows in place.
    expect(stop).to_be_visible()
    reply = companion_messages(page).nth(1)
    expect(reply.locator(".ai-label")).to_have_text("AI-generated")
    expect(reply.locator(".message-text")).to_have_text(
        "I hear you. You said 9 words. Tell me more?"
    )
    expect(stop).to_be_hidden()
    expect(page.locator("#messages li.from-user .message-text")).to_have_text(
        "I walked my dog Pepper on the beach today"
    )
    # Streamed through the JSON API, not the form: the page did not navigate.
    assert any(u.endswith("/messages") and "/api/conversations/" in u for u in browse.requests)
    # After a reload the same conversation is there, oldest first, every reply labelled.
    page.reload()
    texts = page.locator("#messages li .message-text").all_inner_texts()
    assert texts[1:] == [
        "I walked my dog Pepper on the beach today",
        "I hear you. You said 9 words. Tell me more?",
    ]
    expect(page.locator("#messages li.from-companion .ai-label")).to_have_count(2)


def test_journey_stop_button_keeps_partial_reply_as_interrupted(
    serve: Callable[..., LiveServer], new_context: Callable[..., BrowserContext]
) -> None:
    server = serve(FakeProvider(reply=lambda _: " ".join(["word"] * 400), piece_delay_s=0.05))
    b = Browse(new_context, server)
    page = b.page()
    sign_up(page, "carol")
    open_new_chat(page)
    page.get_by_label("Your message").fill("tell me a long story")
    page.get_by_role("button", name="Send").click()
    reply = companion_messages(page).nth(1)
    expect(reply.locator(".message-text")).to_contain_text("word word word")
    page.get_by_role("button", name="Stop").click()
    expect(reply.locator(".badge.muted")).to_have_text("stopped")
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    # The server kept what was written so far, marked as interrupted (once it saw the abort).
    for _ in range(100):
        if "interrupted" in server.message_statuses():
            break
        time.sleep(0.05)
    assert server.message_statuses() == ["complete", "complete", "interrupted"]
    page.reload()
    kept = companion_messages(page).nth(1)
    expect(kept.locator(".badge.muted")).to_have_text("stopped")
    assert b.foreign_requests() == []


def test_journey_under_age_signup_refused_and_nothing_stored(
    browse: Browse, server: LiveServer
) -> None:
    page = browse.page()
    sign_up(page, "young", dob="2015-03-01")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Sign-up refused")
    expect(alert).to_contain_text("at least 18 years old")
    expect(alert).to_contain_text("Nothing about you has been stored")
    assert server.user_count() == 0
    # The password is never sent back in the page.
    expect(page.get_by_label("Password")).to_have_value("")


def test_journey_csrf_missing_or_wrong_token_refused_and_nothing_changes(
    browse: Browse, server: LiveServer
) -> None:
    page = browse.page()
    sign_up(page, "dave")
    expect(page).to_have_url(re.compile(r"/companions$"))
    api = page.context.request  # shares the browser's cookies

    no_token = api.post("/companions/from-starter", form={"starter": "mira"})
    assert no_token.status == 403
    wrong = api.post("/companions/from-starter", form={"starter": "mira", "csrf_token": "x" * 64})
    assert wrong.status == 403
    # The JSON API with the session cookie but neither a CSRF token nor our Origin.
    cross = api.post(
        "/api/companions/from-starter",
        data={"starter": "mira"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status == 403
    assert cross.json()["error"]["code"] == "cross_site_request"
    bare = api.post("/api/companions/from-starter", data={"starter": "mira"})
    assert bare.status == 403
    assert api.get("/api/companions").json() == []

    # A form in the page whose token was tampered with: a 403 page, nothing created.
    page.goto("/companions")
    page.locator("input[name=csrf_token]").evaluate_all(
        "inputs => inputs.forEach(i => { i.value = 'forged'; })"
    )
    page.get_by_role("button", name="Start with Mira").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refused")
    expect(page.get_by_role("alert")).to_contain_text("did not come from this site")
    assert api.get("/api/companions").json() == []

    # Log-in needs the pre-session token too (no forged log-in into someone else's account).
    login = api.post("/login", form={"username": "dave", "password": PASSWORD})
    assert login.status == 403


def test_journey_chat_without_javascript(browse: Browse) -> None:
    page = browse.page(java_script_enabled=False)
    sign_up(page, "erin", memory="off")
    expect(page).to_have_url(re.compile(r"/companions$"))
    open_new_chat(page)
    page.get_by_label("Your message").fill("hello from a browser without scripts")
    page.get_by_role("button", name="Send").click()
    # A plain POST, then back to the conversation with the whole reply.
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+#latest$"))
    reply = companion_messages(page).nth(1)
    expect(reply.locator(".ai-label")).to_have_text("AI-generated")
    expect(reply.locator(".message-text")).to_have_text(
        "I hear you. You said 6 words. Tell me more?"
    )
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    # Delete the user's message with its form.
    mine = page.locator("#messages li.from-user")
    expect(mine).to_have_count(1)
    mine.get_by_role("button", name="Delete this message").click()
    expect(page.locator("#messages li.from-user")).to_have_count(0)
    expect(companion_messages(page)).to_have_count(2)
    # Log out with the header's form.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
