"""Screenshots of the main pages for the README and docs: ``python -m tests.browser.screenshots``
(from the repository root, with the test dependencies and /usr/bin/chromium installed).

Writes docs/screenshots/*.png from a real server with the fake provider; the browser may
reach no other host (requests elsewhere are aborted and make the script fail).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.live import start_server
from tests.factories import PASSWORD

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    foreign: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        server = start_server(Path(tmp) / "data")
        try:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=server.url, viewport=DESKTOP)

            def only_ours(route: Route) -> None:
                if urlsplit(route.request.url).netloc == server.host:
                    route.continue_()
                else:
                    foreign.append(route.request.url)
                    route.abort()

            context.route("**/*", only_ours)
            page = context.new_page()
            _tour(page)
            browser.close()
        finally:
            server.stop()
    if foreign:
        print(f"P7: the pages contacted other hosts: {foreign}", file=sys.stderr)
        return 1
    print(f"screenshots written to {OUT}")
    return 0


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def _tour(page: Page) -> None:
    page.goto("/")
    _shot(page, "landing")
    page.goto("/signup")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Date of birth").fill("2012-04-01")
    page.get_by_role("button", name="Create account").click()
    _shot(page, "signup-age-refused")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Date of birth").fill("1991-04-01")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/companions$"))
    page.get_by_role("button", name="Start with Mira").click()
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(r"/chat/"))
    for text in ("I finally finished the first draft of my novel!", "Thank you, I needed that."):
        page.get_by_label("Your message").fill(text)
        page.get_by_role("button", name="Send").click()
        page.get_by_role("status").filter(has_text="Reply complete.").wait_for()
    page.reload()
    _shot(page, "chat-desktop")
    page.set_viewport_size(PHONE)
    _shot(page, "chat-phone")
    page.get_by_role("link", name="Mira").click()
    page.set_viewport_size(DESKTOP)
    _shot(page, "companion")
    page.goto("/companions")
    _shot(page, "companions")
    # The memory page, with one memory written by hand and one waiting for review.
    page.goto("/memory")
    add = page.get_by_role("region", name="Add a memory")
    add.get_by_label("What to remember").fill("Sam is writing a novel set in Lisbon.")
    add.get_by_role("button", name="Add memory").click()
    page.goto("/memory")
    add = page.get_by_role("region", name="Add a memory")
    add.get_by_label("Kind").select_option(label="Preference")
    add.get_by_label("What to remember").fill("Sam writes best early in the morning.")
    add.get_by_role("button", name="Add memory").click()
    page.goto("/memory")
    _shot(page, "memory")
    page.goto("/privacy")
    _shot(page, "privacy")
    page.goto("/privacy/audit")
    _shot(page, "audit")
    page.goto("/settings")
    _shot(page, "settings")
    page.goto("/companions")
    page.get_by_role("link", name="Mira").first.click()
    page.get_by_role("link", name=re.compile("Untitled|Chat with")).first.click()
    page.get_by_label("Your message").fill("Any ideas for the Lisbon chapter of my novel?")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").filter(has_text="Reply complete.").wait_for()
    page.get_by_role("link", name="Why did you say that?").last.click()
    page.wait_for_timeout(300)
    _shot(page, "why")
    # A crisis signal: the safety card with the helplines of the user's country (P11).
    page.goto("/settings")
    page.get_by_label("Country", exact=True).select_option("IN")
    page.get_by_role("button", name="Save country").click()
    page.goto("/companions")
    page.get_by_role("button", name="Start with Mira").click()
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(r"/chat/"))
    page.get_by_label("Your message").fill("Honestly I don't want to be alive anymore.")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").filter(has_text="Reply complete.").wait_for()
    _shot(page, "safety-card")


if __name__ == "__main__":
    raise SystemExit(main())
