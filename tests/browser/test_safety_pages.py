"""Safety and trust in a real Chromium: the crisis card streamed beside the message (and shown
again after a reload), the sensitive-identifier warning with its delete button, reporting a
reply with only the chosen messages, a support request approved from the privacy center, and
the staff pages (promises P8, P11)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Browse
from tests.browser.test_journeys import open_new_chat, sign_up
from tests.factories import admin_db

CRISIS = "I want to end my life, I can't keep going"
STAFF_PASSWORD = "staff password for tests"


def send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_have_text("Reply complete.")


def test_a_crisis_message_brings_helplines_beside_it_and_after_a_reload(browse: Browse) -> None:
    page = browse.page()
    sign_up(page, "nia")
    page.goto("/settings")
    page.get_by_label("Country", exact=True).select_option("IN")
    page.get_by_role("button", name="Save country").click()
    expect(page.get_by_text("Your country was saved.")).to_be_visible()
    page.goto("/companions")
    open_new_chat(page)
    send(page, CRISIS)
    card = page.locator(".safety-card")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", level=2)).to_be_visible()
    expect(card.get_by_text("Tele-MANAS")).to_be_visible()
    expect(card.get_by_role("link", name="14416")).to_have_attribute("href", "tel:14416")
    expect(card.get_by_text("Nothing was sent to anyone")).to_be_visible()
    # The card sits right after the user's message, before the reply.
    items = page.locator("#messages > li")
    classes = [items.nth(i).get_attribute("class") or "" for i in range(items.count())]
    assert "card-item" in classes[-2]
    page.reload()
    expect(page.locator(".safety-card")).to_have_count(1)
    expect(page.locator(".safety-card").get_by_text("Vandrevala")).to_be_visible()
    # An everyday message brings none.
    send(page, "this homework is killing me")
    expect(page.locator(".safety-card")).to_have_count(1)


def test_a_card_number_is_warned_about_once_and_can_be_deleted(browse: Browse) -> None:
    page = browse.page()
    sign_up(page, "omar")
    open_new_chat(page)
    send(page, "my card is 4111 1111 1111 1111, can you remember it?")
    warning = page.locator(".sensitive-warning")
    expect(warning).to_contain_text("a card number")
    warning.get_by_role("button", name="Delete that message").click()
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+$"))
    expect(page.get_by_text("4111 1111 1111 1111")).to_have_count(0)
    expect(page.locator(".sensitive-warning")).to_have_count(0)


def test_reporting_a_reply_discloses_only_the_ticked_messages(browse: Browse) -> None:
    page = browse.page()
    sign_up(page, "lena")
    open_new_chat(page)
    send(page, "tell me something")
    page.locator("#messages li.from-companion").last.get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    ticked = page.locator("input[type=checkbox]:checked")
    expect(ticked).to_have_count(1)
    page.get_by_label("What is wrong").select_option("harmful_reply")
    page.get_by_role("button", name="Send the report").click()
    expect(page).to_have_url(re.compile(r"/reports\?done=filed$"))
    [report] = browse.server.services.reports.list_mine(_user_id(browse, "lena"))
    assert report.message_count == 1


def test_support_access_is_approved_by_the_user_and_each_staff_read_is_in_their_log(
    browse: Browse,
) -> None:
    services = browse.server.services
    services.staff.create("sam", "support", STAFF_PASSWORD)
    user = browse.page()
    sign_up(user, "ruth")
    open_new_chat(user)
    send(user, "my plans for the week")

    staff = browse.page()
    staff.goto("/staff/login")
    staff.get_by_label("Username").fill("sam")
    staff.get_by_label("Password").fill(STAFF_PASSWORD)
    staff.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(staff).to_have_url(re.compile(r"/staff$"))
    form = staff.get_by_role("region", name=re.compile("access", re.I))
    form.get_by_label("Username").fill("ruth")
    form.get_by_label("Case reference").fill("CASE-42")
    form.get_by_label(re.compile("Reason")).fill("The user asked us to look at a bug.")
    form.get_by_role("button", name="Ask for access").click()
    expect(staff.get_by_text(re.compile("waiting for the user", re.I)).first).to_be_visible()

    user.goto("/privacy/access")
    expect(user.get_by_text("CASE-42")).to_be_visible()
    user.get_by_role("button", name="Approve the request of sam").click()
    expect(user.get_by_text(re.compile("active", re.I)).first).to_be_visible()

    staff.reload()
    staff.get_by_role("link", name="Open the grant for case CASE-42").click()
    expect(staff.get_by_text(re.compile("conversation", re.I)).first).to_be_visible()
    user.goto("/privacy/audit")
    read = user.locator("li.audit-entry[data-action='access.read']")
    expect(read.first).to_contain_text("A staff member read your data under a grant")
    expect(read.first).to_contain_text("A staff member (named in the details)")


def _user_id(browse: Browse, username: str) -> str:
    from confide.storage.repositories import UserRepo

    with admin_db(browse.server.services).reader() as s:
        user = UserRepo(s).by_username(username)
        assert user is not None
        return user.id
