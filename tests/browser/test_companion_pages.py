"""Companion pages in a real Chromium: create a companion with the form and chat with it, open
"why did you say that?" in place and on its own page; import a Character Card with the upload
control, export it as a download, delete the companion (without JavaScript); and stop a reply,
then delete it without reloading (promises P4, P7, P14)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from confide.llm.fake import FakeProvider
from tests.browser.conftest import Browse
from tests.browser.live import LiveServer
from tests.browser.test_journeys import companion_messages, open_new_chat, sign_up

CARD = {
    "spec": "chara_card_v2",
    "spec_version": "2.0",
    "data": {
        "name": "Wren",
        "description": "A ferry pilot on a cold northern lake.",
        "personality": "Laconic, warm underneath.",
        "scenario": "",
        "first_mes": "Last crossing. Hop on.",
        "mes_example": "",
        "tags": ["boats"],
        "extensions": {},
    },
}


def csrf_token(page: Page) -> str:
    return str(page.locator("input[name=csrf_token]").first.input_value())


def create_companion(page: Page, name: str = "Juniper") -> None:
    page.goto("/companions")
    page.get_by_role("link", name="Create a companion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a companion")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Persona").fill("A retired astronomer who names every cat after a comet.")
    page.get_by_label("Greeting").fill("Oh, hello {{user}}. Clear skies tonight?")
    page.get_by_role("button", name="Create companion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("status")).to_have_text("Companion created.")


def test_create_companion_chat_streamed_and_see_why(browse: Browse) -> None:
    page = browse.page()
    sign_up(page, "alice")
    # An invalid form keeps what was typed and says what to fix.
    page.goto("/companions/new")
    page.get_by_label("Persona").fill("Kept as typed")
    page.get_by_label("Name").fill("   ")
    page.get_by_role("button", name="Create companion").click()
    expect(page.get_by_role("alert")).to_contain_text("Name: enter a name")
    expect(page.get_by_label("Persona")).to_have_value("Kept as typed")

    create_companion(page)
    companion_url = page.url
    # A memory the next reply will recall (written through the JSON API, as the memory page does).
    companion_id = companion_url.rsplit("/", 1)[1].split("?")[0]
    added = page.context.request.post(
        "/api/memories",
        data={"companion_id": companion_id, "kind": "fact", "text": "Alice's sister is Quillonia."},
        headers={"X-CSRF-Token": csrf_token(page)},
    )
    assert added.status == 201, added.text()

    page.get_by_role("button", name="Start conversation").click()
    expect(companion_messages(page).first.locator(".message-text")).to_have_text(
        "Oh, hello alice. Clear skies tonight?"
    )
    page.get_by_label("Your message").fill("Do you remember my sister Quillonia?")
    page.get_by_role("button", name="Send").click()
    reply = companion_messages(page).nth(1)
    expect(reply.locator(".ai-label")).to_have_text("AI-generated")
    expect(reply.locator(".message-text")).to_have_text(
        "I hear you. You said 6 words. Tell me more?"
    )
    chat_url = page.url

    # The streamed reply got its "why" link without a reload; it opens in place.
    why = reply.get_by_role("link", name="Why did you say that?")
    why.click()
    panel = reply.get_by_role("region", name="Why Juniper said that")
    expect(panel).to_contain_text("Memories it used (1)")
    expect(panel).to_contain_text("Alice's sister is Quillonia.")
    expect(why).to_have_attribute("aria-expanded", "true")
    assert page.url == chat_url
    why.click()
    expect(panel).to_be_hidden()
    expect(why).to_have_attribute("aria-expanded", "false")
    # The greeting used nothing, and says so.
    greeting = companion_messages(page).first
    greeting.get_by_role("link", name="Why did you say that?").click()
    expect(greeting.get_by_role("region")).to_contain_text(
        "This reply used no memories and no earlier messages."
    )

    # The same on its own page.
    why.click()
    panel.get_by_role("link", name="Open this on its own page").click()
    expect(page).to_have_url(re.compile(r"/messages/[0-9a-f]+/why$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Why Juniper said that")
    expect(page.locator(".why-memory")).to_contain_text("Alice's sister is Quillonia.")
    page.get_by_role("link", name="Back to the conversation").click()
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+#m-[0-9a-f]+$"))


def test_why_link_without_javascript_opens_its_page(browse: Browse) -> None:
    page = browse.page(java_script_enabled=False)
    sign_up(page, "erin")
    open_new_chat(page)
    page.get_by_label("Your message").fill("hello without scripts")
    page.get_by_role("button", name="Send").click()
    companion_messages(page).nth(1).get_by_role("link", name="Why did you say that?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why Mira said that")
    expect(page.get_by_role("status")).to_contain_text("This reply used no memories")


def test_import_export_and_delete_companion_without_javascript(
    browse: Browse, server: LiveServer, tmp_path: Path
) -> None:
    page = browse.page(java_script_enabled=False, accept_downloads=True)
    sign_up(page, "bob")
    expect(page).to_have_url(re.compile(r"/companions$"))

    # A file that is not a card: the error is shown next to the import form.
    page.get_by_label("Character Card file").set_input_files(
        {"name": "notes.json", "mimeType": "application/json", "buffer": b"not a card"}
    )
    page.get_by_role("button", name="Import card").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid JSON")
    expect(page.get_by_label("Character Card file")).to_be_visible()

    card = tmp_path / "wren.json"
    card.write_text(json.dumps(CARD))
    page.get_by_label("Character Card file").set_input_files(card)
    page.get_by_role("button", name="Import card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wren")
    expect(page.get_by_role("status")).to_have_text("Character Card imported.")

    with page.expect_download() as info:
        page.get_by_role("link", name="Export Character Card (JSON)").click()
    download = info.value
    assert download.suggested_filename == "Wren.json"
    exported = json.loads(Path(download.path()).read_text())
    assert exported["spec"] == "chara_card_v2"
    assert exported["data"]["name"] == "Wren"
    assert exported["data"]["tags"] == ["boats"]

    with page.expect_download() as info:
        page.get_by_role("link", name="Export Character Card (PNG)").click()
    png = info.value
    assert png.suggested_filename == "Wren.png"
    assert Path(png.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    # Start a conversation, so deleting has something to take with it.
    page.get_by_role("button", name="Start conversation").click()
    page.get_by_role("link", name="Wren").click()
    page.get_by_role("link", name="Delete Wren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Wren?")
    expect(page.locator("main")).to_contain_text("1 conversation with 1 message in all")
    expect(page.locator("main")).to_contain_text("0 memories")
    page.get_by_role("button", name="Delete Wren and all of this").click()
    expect(page).to_have_url(re.compile(r"/companions\?done=deleted"))
    expect(page.get_by_role("status")).to_contain_text(
        "The companion was deleted, with 1 conversation, 1 message and 0 memories."
    )
    expect(page.get_by_role("link", name="Wren")).to_have_count(0)
    assert server.message_statuses() == []

    # The PNG card exported before imports again.
    page.get_by_label("Character Card file").set_input_files(png.path())
    page.get_by_role("button", name="Import card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wren")


def test_stopped_reply_can_be_deleted_without_reload(
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

    # Once the server has kept the stopped reply, the page learns its id: Delete and "why"
    # appear on it without a reload.
    delete = reply.get_by_role("button", name="Delete this message")
    expect(delete).to_be_visible(timeout=10_000)
    expect(reply.get_by_role("link", name="Why did you say that?")).to_be_visible()
    assert server.message_statuses() == ["complete", "complete", "interrupted"]
    kept_id = reply.get_attribute("data-message-id")
    assert kept_id
    delete.click()
    expect(page.locator(f'#messages li[data-message-id="{kept_id}"]')).to_have_count(0)
    expect(companion_messages(page)).to_have_count(1)
    assert server.message_statuses() == ["complete", "complete"]
    assert b.foreign_requests() == []
