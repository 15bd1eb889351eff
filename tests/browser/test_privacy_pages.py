"""The privacy center in a real Chromium: what is stored, a consent withdrawn, an export that
becomes ready in place (privacy.js) and downloads as a zip, the account deleted with its
password and the deletion cancelled; the audit log's filter (promises P3, P5, P6, P9, P14)."""

from __future__ import annotations

import json
import re
import zipfile

from playwright.sync_api import Page, expect
from sqlalchemy import select

from confide.storage.tables import User
from tests.browser.conftest import Browse
from tests.browser.live import LiveServer
from tests.browser.test_journeys import companion_messages, open_new_chat, sign_up
from tests.factories import PASSWORD, admin_db

SAID = "I walked my dog Pepper on the beach today"


def stored_count(page: Page, kind: str) -> str:
    row = page.locator("#stored-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=kind, exact=True)
    )
    return row.locator("td.count").inner_text()


def chat_once(page: Page) -> None:
    open_new_chat(page)
    page.get_by_label("Your message").fill(SAID)
    page.get_by_role("button", name="Send").click()
    expect(companion_messages(page).nth(1).locator(".message-text")).to_contain_text("Tell me more")
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()


def test_privacy_journey_consent_export_delete_and_cancel(
    browse: Browse, server: LiveServer
) -> None:
    page = browse.page()
    sign_up(page)
    chat_once(page)

    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy center")
    expect(page.locator("#processing-place")).to_have_text("local model fake-model, on this server")
    assert stored_count(page, "Messages") == "3"
    assert stored_count(page, "Companions") == "1"

    # Withdraw a consent: one click, and the page says so.
    page.get_by_role("button", name="Turn off Memory").click()
    expect(page.get_by_role("status")).to_contain_text("Memory is now off")
    expect(page.get_by_role("button", name="Turn on Memory")).to_be_visible()

    # Request an export; privacy.js follows it until it is ready, without a reload.
    page.get_by_role("button", name="Request an export").click()
    row = page.locator("#exports tr.export-row").first
    expect(row.locator(".export-status")).to_have_text("Ready to download", timeout=15_000)
    with page.expect_download() as download_info:
        row.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        data = json.loads(archive.read("data.json"))
    assert SAID in json.dumps(data)

    # Delete the account with the password (grace period): signed out, the receipt shown.
    page.goto("/privacy")
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand that my account").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is being deleted")
    expect(page.locator("#receipt")).to_contain_text("alice")
    expect(page.locator("#receipt")).to_contain_text("in 30 days")
    expect(page.get_by_text("Signed in as")).to_have_count(0)

    # Log-in is refused while the deletion is pending.
    page.goto("/login")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("being deleted")

    # Cancel the deletion: back, signed in, everything as it was.
    page.goto("/account/deletion/cancel")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Cancel the deletion and sign in").click()
    expect(page).to_have_url(re.compile(r"/privacy"))
    expect(page.get_by_role("status")).to_contain_text("deletion of your account is cancelled")
    expect(page.get_by_text("Signed in as")).to_contain_text("alice")
    assert stored_count(page, "Messages") == "3"
    assert server.user_count() == 1


def test_privacy_audit_page_filter_by_action(browse: Browse) -> None:
    page = browse.page()
    sign_up(page, "bob")
    page.goto("/privacy")
    page.get_by_role("button", name="Turn off Memory").click()
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    entries = page.locator("#audit-entries > li")
    expect(entries.first).to_be_visible()
    assert entries.count() >= 3  # account created, memory consent granted, then withdrawn

    page.get_by_label("What happened").select_option(label="Consent withdrawn")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"action=consent\.withdrawn"))
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Consent withdrawn")
    expect(entries.first).to_contain_text("by You")
    expect(page.get_by_role("link", name="Download the latest signed checkpoint")).to_be_visible()


def test_privacy_export_row_updates_in_place_when_ready(browse: Browse, server: LiveServer) -> None:
    page = browse.page()
    sign_up(page, "carol")
    with admin_db(server.services).reader() as s:
        user_id = s.scalar(select(User.id).where(User.username == "carol"))
    assert user_id is not None
    server.services.exports.request(user_id)  # queued; nothing runs it yet
    page.goto("/privacy#export")
    row = page.locator("#exports tr.export-row").first
    expect(row.locator(".export-status")).to_have_text("Waiting to start")
    expect(row.get_by_role("button", name="Download")).to_be_hidden()
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()

    server.services.exports.run_pending()
    expect(row.locator(".export-status")).to_have_text("Ready to download")
    expect(row.get_by_role("button", name="Download")).to_be_visible()
    expect(row.locator(".export-expiry")).to_contain_text("Link valid until")
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()
    assert any("/api/exports/" in url for url in browse.requests), "privacy.js did not poll"
    assert page.url.endswith("/privacy#export")  # no reload: updated in place
