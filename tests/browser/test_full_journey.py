"""The whole journey issue 5 names, in one real Chromium session against a real server:
sign up → create a companion → chat with a streamed reply → see the memory it formed → edit
and delete it → export and download → delete the account (promises P3, P4, P9, P14).

The model is the fake provider at its interface: it streams a canned reply and answers the
memory-extraction schema with one fact taken from the user's message.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from confide.llm.fake import FakeProvider
from tests.browser.conftest import Browse
from tests.browser.live import LiveServer
from tests.browser.test_journeys import sign_up
from tests.browser.test_memory_pages import _extractor, _run_memory_jobs, notice, open_memory
from tests.factories import PASSWORD

SAID = "My sister Ingrid moved to Reykjavik last spring"
REMEMBERED = "Your sister Ingrid lives in Reykjavik."
CORRECTED = "Your sister Ingrid lives in Akureyri."


def test_journey_signup_companion_chat_memory_export_delete_account(
    serve: Callable[..., LiveServer], new_context: Callable[..., BrowserContext]
) -> None:
    server = serve(FakeProvider(piece_delay_s=0.03, structured=_extractor("Reykjavik", REMEMBERED)))
    b = Browse(new_context, server)
    page = b.page()

    # 1. Sign up, with memory on.
    sign_up(page, "ingrid_fan", memory="on")
    expect(page).to_have_url(re.compile(r"/companions$"))

    # 2. Create a companion of our own.
    page.get_by_role("link", name="Create a companion").click()
    page.get_by_label("Name").fill("Sol")
    page.get_by_label("Persona").fill("A calm friend who loves maps and weather.")
    page.get_by_label("Greeting").fill("Hello {{user}}, what is the weather like where you are?")
    page.get_by_role("button", name="Create companion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sol")

    # 3. Chat: the reply streams in place (Stop shows while it does), labelled AI-generated.
    page.get_by_role("button", name="Start conversation").click()
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+$"))
    page.wait_for_load_state("load")  # chat.js attached before the first send
    page.get_by_label("Your message").fill(SAID)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    reply = page.locator("#messages li.from-companion").nth(1)
    expect(reply.locator(".message-text")).to_have_text(
        "I hear you. You said 8 words. Tell me more?"
    )
    expect(reply.locator(".ai-label")).to_have_text("AI-generated")
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()

    # 4. The memory it formed (the background pass runs; the page shows the fact and its source).
    _run_memory_jobs(server)
    open_memory(page)
    facts = page.get_by_role("region", name="Facts (1)")
    expect(facts).to_contain_text(REMEMBERED)
    expect(facts).to_contain_text("Sol")
    facts.get_by_role("link", name=REMEMBERED).click()
    expect(page.get_by_role("region", name="Where it came from")).to_contain_text(SAID)

    # 5. Edit it (history keeps the old text), then delete it.
    edit = page.get_by_role("region", name="Edit")
    edit.get_by_label("Text").fill(CORRECTED)
    edit.get_by_role("button", name="Save changes").click()
    expect(notice(page)).to_have_text("Changes saved.")
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("deletion")).to_have_text(REMEMBERED)
    expect(history.get_by_role("insertion")).to_have_text(CORRECTED)
    delete = page.get_by_role("region", name="Delete")
    delete.get_by_label("Yes, delete this memory for good").check()
    delete.get_by_role("button", name="Delete memory").click()
    expect(notice(page)).to_have_text("Memory deleted.")
    expect(page.get_by_text("Ingrid lives in")).to_have_count(0)

    # 6. Export everything and download it once.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Privacy").click()
    page.get_by_role("button", name="Request an export").click()
    row = page.locator("#exports tr.export-row").first
    expect(row.locator(".export-status")).to_have_text("Ready to download", timeout=15_000)
    with page.expect_download() as download_info:
        row.get_by_role("button", name="Download").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        names = set(archive.namelist())
        data = json.loads(archive.read("data.json"))
    assert {"data.json", "conversations.html", "schema.json", "README.txt"} <= names
    exported = json.dumps(data)
    assert SAID in exported
    assert "Sol" in exported
    assert CORRECTED not in exported  # the deleted memory is not in the export
    # The single-use link is spent: the row no longer offers a download.
    page.reload()
    expect(
        page.locator("#exports tr.export-row").first.get_by_role("button", name="Download")
    ).to_have_count(0)

    # 7. Delete the account, immediately: signed out, a receipt, and then nothing is left.
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Delete immediately").check()
    page.get_by_label("I understand that my account").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#receipt")).to_contain_text("ingrid_fan")
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.goto("/companions")
    expect(page).to_have_url(re.compile(r"/login$"))
    for _ in range(100):  # the rows are purged just after the response
        if server.user_count() == 0:
            break
        time.sleep(0.05)
    assert server.user_count() == 0
    assert b.foreign_requests() == []
