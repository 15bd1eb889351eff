"""Settings in a real Chromium: the owner raises the minimum age (a later sign-up follows it),
a second user sees no owner controls, and a password change signs other sessions out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import Browse
from tests.browser.live import LiveServer
from tests.browser.test_journeys import sign_up
from tests.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase"


def test_journey_owner_sets_minimum_age_and_sign_up_follows_it(
    browse: Browse, server: LiveServer
) -> None:
    owner = browse.page()
    sign_up(owner, "olive")  # the first account on a loopback server: the owner
    owner.get_by_role("link", name="Settings").click()
    expect(owner.get_by_role("heading", name="This server")).to_be_visible()
    owner.get_by_label("Minimum age in years").fill("21")
    owner.get_by_role("button", name="Save minimum age").click()
    expect(owner.get_by_role("status").first).to_contain_text("minimum age for new accounts")
    expect(owner.get_by_label("Minimum age in years")).to_have_value("21")
    # The model is named with where it runs; the fake provider offers no choice.
    expect(owner.get_by_text("fixed by the server's configuration")).to_be_visible()

    # A 19-year-old in another browser is refused, and told the new age.
    young = browse.page()
    year = int(server.services.clock().year)
    sign_up(young, "yara", dob=f"{year - 19}-01-01")
    expect(young.get_by_role("alert")).to_contain_text("at least 21 years old")
    # A second, adult user sees the values but no controls.
    other = browse.page()
    sign_up(other, "bert")
    other.goto("/settings")
    expect(other.get_by_text("Only the server's owner can change these.")).to_be_visible()
    expect(other.get_by_label("Minimum age in years")).to_have_count(0)
    expect(other.get_by_text("at least 21 years old")).to_be_visible()


def test_journey_password_change_signs_out_other_sessions(browse: Browse) -> None:
    laptop = browse.page()
    sign_up(laptop, "paula")
    phone = browse.page()
    phone.goto("/login")
    phone.get_by_label("Username").fill("paula")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    expect(phone).to_have_url(re.compile(r"/companions$"))

    laptop.goto("/settings")
    laptop.get_by_label("Current password").fill("not-my-password")
    laptop.locator("#new_password").fill(NEW_PASSWORD)
    laptop.get_by_label("New password again").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_role("alert")).to_be_visible()
    expect(laptop.get_by_label("Current password")).to_have_value("")

    laptop.get_by_label("Current password").fill(PASSWORD)
    laptop.locator("#new_password").fill(NEW_PASSWORD)
    laptop.get_by_label("New password again").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_role("status").first).to_contain_text("Your password was changed")
    # The phone's session ended: its next page asks it to log in.
    phone.goto("/companions")
    expect(phone).to_have_url(re.compile(r"/login$"))
    phone.get_by_label("Username").fill("paula")
    phone.get_by_label("Password").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    expect(phone).to_have_url(re.compile(r"/companions$"))
