"""The memory pages in a real Chromium (promise P4): add a memory by hand, find it under its
kind, edit it (the history keeps the old text), pin it, delete it; and a memory found in a
conversation in review mode, approved from the review queue, with JavaScript off."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select

from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from confide.storage.tables import User
from tests.browser.conftest import Browse
from tests.browser.live import LiveServer
from tests.browser.test_journeys import sign_up
from tests.factories import admin_db

SISTER = "Frida's sister lives in Reykjavik."


def start_companion(page: Page, starter: str = "Mira") -> None:
    page.get_by_role("button", name=f"Start with {starter}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(starter)


def open_memory(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Memory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Memory")


def notice(page: Page) -> Locator:
    return page.get_by_role("status")


def test_memory_journey_add_find_edit_pin_delete(browse: Browse) -> None:
    page = browse.page()
    sign_up(page, "frida")
    start_companion(page)
    open_memory(page)
    expect(page.get_by_text("No memories yet.")).to_be_visible()

    add = page.get_by_role("region", name="Add a memory")
    add.get_by_label("Companion").select_option(label="Mira")
    add.get_by_label("Kind").select_option(label="Preference")
    add.get_by_label("What to remember").fill("Frida likes her tea without milk.")
    add.get_by_role("button", name="Add memory").click()
    expect(notice(page)).to_have_text("Memory added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preference")

    # On the list, under its kind, with its companion and origin.
    open_memory(page)
    group = page.get_by_role("region", name="Preferences (1)")
    item = group.get_by_role("listitem").filter(has_text="Frida likes her tea without milk.")
    expect(item).to_contain_text("Mira")
    expect(item).to_contain_text("Written by you")

    # Search finds it; a search for something else does not.
    search = page.get_by_role("search", name="Find memories")
    search.get_by_label("Search").fill("coffee")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No memory mentions “coffee”.")).to_be_visible()
    search.get_by_label("Search").fill("tea")
    search.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Frida likes her tea without milk.").click()

    # Edit: the history keeps the old text.
    edit = page.get_by_role("region", name="Edit")
    edit.get_by_label("Text").fill("Frida likes her tea with lemon.")
    edit.get_by_role("button", name="Save changes").click()
    expect(notice(page)).to_have_text("Changes saved.")
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("deletion")).to_have_text("Frida likes her tea without milk.")
    expect(history.get_by_role("insertion")).to_have_text("Frida likes her tea with lemon.")

    # Pin, then it shows as pinned on the list.
    page.get_by_role("button", name="Pin this memory").click()
    expect(notice(page)).to_contain_text("Pinned")
    expect(page.get_by_role("button", name="Unpin this memory")).to_be_visible()
    open_memory(page)
    item = page.get_by_role("region", name="Preferences (1)").get_by_role("listitem")
    expect(item).to_contain_text("Pinned")
    item.get_by_role("link", name="Frida likes her tea with lemon.").click()

    # Delete needs the box ticked.
    delete = page.get_by_role("region", name="Delete")
    delete.get_by_label("Yes, delete this memory for good").check()
    delete.get_by_role("button", name="Delete memory").click()
    expect(page).to_have_url(re.compile(r"/memory\?done=deleted$"))
    expect(notice(page)).to_have_text("Memory deleted.")
    expect(page.get_by_text("Frida likes her tea")).to_have_count(0)
    assert browse.server.services.memory.list(_user_id(browse.server, "frida")) == ([], 0)


def _user_id(server: LiveServer, username: str) -> str:
    with admin_db(server.services).reader() as s:
        return str(s.scalar(select(User.id).where(User.username == username)))


def _extractor(
    trigger: str, text: str
) -> Callable[[Sequence[ChatMessage], Mapping[str, Any]], str]:
    """A model answering the extraction schema: one fact for the user line with ``trigger``."""

    def answer(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
        found = []
        for line in messages[-1].content.splitlines():
            m = re.match(r"\((\d+)\) [^:]+: (.*)", line)
            if m and trigger in m.group(2):
                source = int(m.group(1))
                found.append(
                    {"kind": "fact", "text": text, "date": "", "sources": [source], "replaces": 0}
                )
        return json.dumps({"memories": found})

    return answer


def _run_memory_jobs(server: LiveServer) -> None:
    """The background worker's pass, in its own thread (this one runs Playwright's loop)."""
    worker = server.services.memory_worker
    thread = threading.Thread(target=lambda: asyncio.run(worker.drain(wait_idle=False)))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_memory_review_mode_then_approve_from_the_queue_without_javascript(
    serve: Callable[..., LiveServer], new_context: Callable[..., BrowserContext]
) -> None:
    server = serve(FakeProvider(structured=_extractor("Reykjavik", SISTER)))
    b = Browse(new_context, server)
    page = b.page(java_script_enabled=False)
    sign_up(page, "frida")
    start_companion(page)

    open_memory(page)
    mode = page.get_by_role("group", name="Memory for Mira")
    expect(mode.get_by_label("On", exact=True)).to_be_checked()
    mode.get_by_label("Review", exact=True).check()
    mode.get_by_role("button", name="Save memory setting for Mira").click()
    expect(notice(page)).to_have_text("Memory setting saved.")
    expect(page.get_by_role("group", name="Memory for Mira").get_by_label("Review")).to_be_checked()

    page.goto("/companions")
    page.get_by_role("link", name="Mira").click()
    page.get_by_role("button", name="Start conversation").click()
    page.get_by_label("Your message").fill("My sister lives in Reykjavik")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages li.from-companion")).to_have_count(2)
    _run_memory_jobs(server)

    open_memory(page)
    queue = page.get_by_role("region", name="Waiting for your review (1)")
    item = queue.get_by_role("listitem").filter(has_text=SISTER)
    expect(item).to_contain_text("Found in your conversation, waiting for your approval")
    expect(page.get_by_role("region", name="Facts (1)")).to_have_count(0)  # not in use yet
    item.get_by_role("button", name="Approve").click()
    expect(notice(page)).to_have_text("Approved: your companion can now use this memory.")
    expect(page.get_by_role("region", name=re.compile("^Waiting for your review"))).to_have_count(0)
    facts = page.get_by_role("region", name="Facts (1)")
    facts.get_by_role("link", name=SISTER).click()
    sources = page.get_by_role("region", name="Where it came from")
    expect(sources).to_contain_text("My sister lives in Reykjavik")
    sources.get_by_role("link", name="Open the conversation this came from").click()
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+$"))
    assert b.foreign_requests() == []
