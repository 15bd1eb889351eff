"""The memory pages through the ASGI app (promise P4): the list grouped by kind with search,
filters and paging, the review queue, adding, editing with history, pinning, deleting with
confirmation, forgetting by phrase, clearing, memory modes; and the refusals: no CSRF token,
another user's memory, bad input (promise P1: another user's id is a 404 like a missing one)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from confide.web.pages import memory as memory_pages
from tests.factories import Env, admin_db, make_env
from tests.integration.test_web_pages import HTML, form_token, signed_in

MISSING_ID = "0" * 32


# --- helpers --------------------------------------------------------------------------------


def start(env: Env, starter: str = "mira") -> tuple[str, str, str]:
    """Sign up through the form and start a companion: (CSRF token, user id, companion id)."""
    token = signed_in(env)
    companion = new_companion(env, token, starter)
    return token, str(env.client.get("/api/me").json()["id"]), companion


def new_companion(env: Env, token: str, starter: str) -> str:
    r = env.client.post("/companions/from-starter", data={"starter": starter, "csrf_token": token})
    assert r.status_code == 200, r.text
    return r.url.path.rsplit("/", 1)[-1]


def page(env: Env, url: str, status: int = 200) -> str:
    r = env.client.get(url, headers=HTML)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    return str(r.text)


def post(env: Env, url: str, token: str | None, **data: str) -> Any:
    if token is not None:
        data["csrf_token"] = token
    return env.client.post(url, data=data, headers=HTML, follow_redirects=False)


def remember(env: Env, uid: str, companion: str, text: str, kind: str = "fact", **kw: Any) -> str:
    return env.services.memory.create(uid, companion, kind=kind, text=text, **kw).id


def extracted(
    env: Env,
    uid: str,
    companion: str,
    text: str,
    *,
    status: str = "active",
    sources: Sequence[str] = (),
    replaces: str | None = None,
) -> str:
    """An item as the extraction job writes it."""
    with admin_db(env.services).transaction() as s:
        row = env.services.memory.add(
            s,
            uid,
            companion,
            kind="fact",
            text=text,
            origin="extracted",
            status=status,
            sources=list(sources),
            replaces=replaces,
            actor="extraction",
        )
        return row.id


def section(html: str, labelled_by: str) -> str:
    """The HTML of the section labelled by the heading with this id ("" if there is none)."""
    match = re.search(rf'<section[^>]*aria-labelledby="{labelled_by}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def heading(html: str, heading_id: str) -> str:
    match = re.search(rf'<h\d id="{heading_id}">(.*?)</h\d>', html, re.S)
    assert match is not None, f"no heading {heading_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def texts(env: Env, uid: str, **filters: Any) -> list[str]:
    items, _ = env.services.memory.list(uid, **filters)
    return sorted(m.text for m in items)


# --- the list -------------------------------------------------------------------------------


def test_memory_page_signed_out_goes_to_login(env: Env) -> None:
    r = env.client.get("/memory", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    r = env.client.get(f"/memory/{MISSING_ID}", headers=HTML, follow_redirects=False)
    assert r.headers["location"] == "/login"


def test_memory_page_groups_by_kind_with_counts_and_details(env: Env) -> None:
    token, uid, mira = start(env)
    remember(env, uid, mira, "Alice keeps bees.")
    remember(env, uid, mira, "Alice was born in Cork.")
    remember(env, uid, mira, "Alice prefers tea to coffee.", kind="preference")
    remember(env, uid, mira, "Alice ran a marathon.", kind="event", event_date=date(2026, 4, 12))
    extracted(env, uid, mira, "Alice's brother is called Tom.")
    html = page(env, "/memory")
    assert heading(html, "group-fact") == "Facts (3)"
    assert heading(html, "group-preference") == "Preferences (1)"
    assert heading(html, "group-event") == "Events (1)"
    assert 'id="group-relationship"' not in html  # empty kinds are left out
    facts = section(html, "group-fact")
    for text in (
        "Alice keeps bees.",
        "Alice was born in Cork.",
        "Alice&#39;s brother is called Tom.",
    ):
        assert text in facts
    assert "Alice prefers tea" not in facts
    assert "Alice prefers tea to coffee." in section(html, "group-preference")
    events = section(html, "group-event")
    assert '<time datetime="2026-04-12">2026-04-12</time>' in events
    assert "Mira" in events
    assert "Written by you" in events
    assert "Extracted" in facts
    item = re.search(r'<a href="/memory/([0-9a-f]+)">Alice keeps bees.</a>', facts)
    assert item is not None
    assert "Alice keeps bees." in page(env, f"/memory/{item.group(1)}")
    # Strict CSP: nothing inline.
    assert " style=" not in html
    assert "<script>" not in html
    assert " onclick=" not in html
    assert '<link rel="stylesheet" href="/static/memory.css">' in html
    assert env.client.get("/static/memory.css").status_code == 200


def test_memory_page_search_companion_and_kind_filters(env: Env) -> None:
    token, uid, mira = start(env)
    sol = new_companion(env, token, "sol")
    remember(env, uid, mira, "Alice swims in the sea every morning.")
    remember(env, uid, mira, "Alice dislikes swimming pools.", kind="preference")
    remember(env, uid, sol, "Alice swims with her sister.")
    remember(env, uid, sol, "Alice plays the cello.")

    html = page(env, "/memory?q=swims")
    assert heading(html, "memories-heading") == "What your companions remember (2)"
    assert "Alice swims in the sea" in html
    assert "Alice swims with her sister." in html
    assert "cello" not in html
    assert 'value="swims"' in html  # the search box keeps the query

    html = page(env, f"/memory?q=swims&companion={sol}")
    assert "Alice swims with her sister." in html
    assert "in the sea" not in html
    assert f'<option value="{sol}" selected>' in html

    html = page(env, "/memory?kind=preference")
    assert heading(html, "memories-heading") == "What your companions remember (1)"
    assert "Alice dislikes swimming pools." in html
    assert "cello" not in html

    html = page(env, "/memory?q=submarine")
    assert "No memory mentions “submarine”." in html


def test_memory_page_pages_through_one_kind(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_pages, "PER_GROUP", 2)
    monkeypatch.setattr(memory_pages, "PAGE_SIZE", 2)
    token, uid, mira = start(env)
    for i in range(5):
        env.clock.advance(minutes=1)
        remember(env, uid, mira, f"Alice owns plant number {i}.")
    html = page(env, "/memory")
    assert heading(html, "group-fact") == "Facts (5)"
    assert section(html, "group-fact").count('<li class="memory') == 2
    assert '<a href="/memory?kind=fact">Show all 5 facts</a>' in html

    seen = []
    for n in (1, 2, 3):
        html = page(env, f"/memory?kind=fact&page={n}")
        assert f"Page {n} of 3" in html
        seen += re.findall(r"Alice owns plant number (\d)\.", html)
    assert sorted(seen) == ["0", "1", "2", "3", "4"]
    assert '<a href="/memory?kind=fact&amp;page=2" rel="prev">Previous page</a>' in html
    assert "Next page" not in html


def test_memory_page_bad_filters_are_pages_not_500s(env: Env) -> None:
    start(env)
    assert "Kind must be one of" in page(env, "/memory?kind=secrets", status=422)
    assert "No such companion" in page(env, f"/memory?companion={MISSING_ID}", status=404)
    page(env, "/memory?page=0", status=422)


def test_memory_page_notice_is_a_fixed_message_never_url_text(env: Env) -> None:
    start(env)
    assert "Memory deleted." in page(env, "/memory?done=deleted")
    html = page(env, "/memory?done=forgotten&m=2&n=1")
    assert "Forgotten: 2 memories and 1 message deleted." in html
    html = page(env, "/memory?done=%3Cb%3Ehi%3C/b%3E&m=%3Ci%3E")
    assert "<b>hi" not in html
    assert "&lt;b&gt;" not in html
    assert 'role="status"' not in html
    for count in ("lots", "%C2%B2", "-1"):
        assert 'role="status"' not in page(env, f"/memory?done=forgotten&m={count}")


# --- add ------------------------------------------------------------------------------------


def test_add_memory_by_hand_then_shown_on_its_page(env: Env) -> None:
    token, uid, mira = start(env)
    r = post(
        env,
        "/memory/add",
        token,
        companion_id=mira,
        kind="event",
        text="  Alice's wedding anniversary  ",
        event_date="2026-06-01",
        pinned="yes",
    )
    assert r.status_code == 303
    [item], total = env.services.memory.list(uid)
    assert r.headers["location"] == f"/memory/{item.id}?done=added"
    assert (item.kind, item.text, item.pinned, item.origin) == (
        "event",
        "Alice's wedding anniversary",
        True,
        "user",
    )
    assert str(item.event_date) == "2026-06-01"
    html = page(env, r.headers["location"])
    assert "Memory added." in html
    assert "You wrote this memory yourself." in html


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"text": "   "}, 422, "Memory text must not be empty"),
        ({"text": "x" * 1001}, 422, "at most 1000 characters"),
        ({"kind": "summary"}, 422, "Kind must be one of"),
        ({"event_date": "next tuesday"}, 422, "Enter the date as YYYY-MM-DD"),
        ({"companion_id": MISSING_ID}, 404, "No such companion"),
    ],
    ids=["empty", "too-long", "summary-kind", "bad-date", "unknown-companion"],
)
def test_add_memory_bad_input_shows_error_keeps_input_stores_nothing(
    env: Env, fields: dict[str, str], status: int, message: str
) -> None:
    token, uid, mira = start(env)
    data = {"companion_id": mira, "kind": "fact", "text": "Alice likes kites.", **fields}
    r = post(env, "/memory/add", token, **data)
    assert r.status_code == status
    error = section(r.text, "add-heading")
    assert 'role="alert"' in error
    assert message in error
    if "text" not in fields:  # what was typed is offered again
        assert "Alice likes kites.</textarea>" in error
    assert env.services.memory.list(uid) == ([], 0)


# --- one memory: edit, history, pin, delete ---------------------------------------------------


def test_edit_creates_history_shown_on_the_page(env: Env) -> None:
    token, uid, mira = start(env)
    item = extracted(env, uid, mira, "Alice lives in Leeds.")
    r = post(env, f"/memory/{item}/edit", token, text="Alice lives in York.", kind="fact")
    assert r.status_code == 303
    assert r.headers["location"] == f"/memory/{item}?done=saved"
    view = env.services.memory.get(uid, item)
    assert (view.text, view.origin, view.version) == ("Alice lives in York.", "edited", 2)
    html = page(env, r.headers["location"])
    assert "Changes saved." in html
    history = section(html, "history-heading")
    assert '<del class="old-text">Alice lives in Leeds.</del>' in history
    assert '<ins class="new-text">Alice lives in York.</ins>' in history
    assert "by you" in history
    assert "by found in a conversation" in history
    assert "Extracted, edited by you" in html


def test_edit_kind_and_event_date(env: Env) -> None:
    token, uid, mira = start(env)
    item = remember(env, uid, mira, "Alice's exam.")
    r = post(
        env,
        f"/memory/{item}/edit",
        token,
        text="Alice's exam.",
        kind="event",
        event_date="2027-01-15",
    )
    assert r.status_code == 303
    view = env.services.memory.get(uid, item)
    assert (view.kind, str(view.event_date), view.version) == ("event", "2027-01-15", 1)
    post(env, f"/memory/{item}/edit", token, text="Alice's exam.", kind="event", event_date="")
    assert env.services.memory.get(uid, item).event_date is None


def test_edit_empty_text_shows_error_and_keeps_memory(env: Env) -> None:
    token, uid, mira = start(env)
    item = remember(env, uid, mira, "Alice paints.")
    r = post(env, f"/memory/{item}/edit", token, text="  ", kind="fact")
    assert r.status_code == 422
    assert "Memory text must not be empty" in section(r.text, "edit-heading")
    assert env.services.memory.get(uid, item).text == "Alice paints."
    assert len(env.services.memory.history(uid, item)) == 1


def test_pin_and_unpin_return_where_the_user_was(env: Env) -> None:
    token, uid, mira = start(env)
    item = remember(env, uid, mira, "Alice is allergic to peanuts.")
    r = post(env, f"/memory/{item}/pin", token, pinned="yes", next="/memory?q=peanuts")
    assert r.status_code == 303
    assert r.headers["location"] == "/memory?q=peanuts&done=pinned"
    assert env.services.memory.get(uid, item).pinned is True
    html = page(env, r.headers["location"])
    assert "Pinned: your companion always keeps this memory in mind." in html
    assert '<span class="badge">Pinned</span>' in section(html, "group-fact")
    assert ">Unpin</button>" in section(html, "group-fact")

    r = post(env, f"/memory/{item}/pin", token, pinned="no", next=f"/memory/{item}")
    assert r.headers["location"] == f"/memory/{item}?done=unpinned"
    assert env.services.memory.get(uid, item).pinned is False
    assert ">Pin this memory</button>" in page(env, r.headers["location"])


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/memory", "//evil.example/memory", "/companions", "/memoryx", ""],
)
def test_pin_never_redirects_off_the_memory_pages(env: Env, next_url: str) -> None:
    token, uid, mira = start(env)
    item = remember(env, uid, mira, "Alice is allergic to peanuts.")
    r = post(env, f"/memory/{item}/pin", token, pinned="yes", next=next_url)
    assert r.headers["location"] == f"/memory/{item}?done=pinned"


def test_delete_needs_confirmation_then_removes_it(env: Env) -> None:
    token, uid, mira = start(env)
    item = remember(env, uid, mira, "Alice's locker code is 1234.")
    r = post(env, f"/memory/{item}/delete", token)
    assert r.status_code == 400
    assert "Tick the box to confirm" in section(r.text, "delete-heading")
    assert env.services.memory.get(uid, item).text == "Alice's locker code is 1234."

    r = post(env, f"/memory/{item}/delete", token, confirm="yes")
    assert r.status_code == 303
    assert r.headers["location"] == "/memory?done=deleted"
    assert env.services.memory.list(uid) == ([], 0)
    assert "locker" not in page(env, "/memory")
    assert "No such memory" in page(env, f"/memory/{item}", status=404)


def test_item_page_shows_provenance_with_links_and_deleted_sources(env: Env) -> None:
    token, uid, mira = start(env)
    conv = env.services.conversations.create(uid, mira, None, user_name="alice").id
    for said in ("I adopted a cat called Pixel", "Pixel is a tabby"):
        assert post(env, f"/chat/{conv}/send", token, content=said).status_code == 303
    messages = env.services.conversations.messages(uid, conv, before=None, limit=50).items
    mine = [m.id for m in messages if m.role == "user"]
    item = extracted(env, uid, mira, "Alice has a tabby cat named Pixel.", sources=mine)
    sources = section(page(env, f"/memory/{item}"), "sources-heading")
    assert "I adopted a cat called Pixel" in sources
    assert "Pixel is a tabby" in sources
    assert sources.count(f'<a href="/chat/{conv}">') == 2

    env.services.erasure.delete_message(uid, mine[0])
    html = page(env, f"/memory/{item}")
    sources = section(html, "sources-heading")
    assert "I adopted a cat" not in sources
    assert "Pixel is a tabby" in sources
    assert "Some messages it came from were deleted." in sources
    # The memory now waits for review, and says why.
    assert "Some messages it came from were deleted." in section(html, "review-heading")
    queue = section(page(env, "/memory"), "review-heading")
    assert "Some messages it came from were deleted" in queue


# --- review queue ---------------------------------------------------------------------------


def test_review_queue_approve_and_reject(env: Env) -> None:
    token, uid, mira = start(env)
    target = remember(env, uid, mira, "Alice lives in Leeds.")
    moved = extracted(env, uid, mira, "Alice lives in York.", status="pending", replaces=target)
    welsh = extracted(env, uid, mira, "Alice is learning Welsh.", status="pending")
    html = page(env, "/memory")
    queue = section(html, "review-heading")
    assert heading(html, "review-heading") == "Waiting for your review (2)"
    assert "Found in your conversation, waiting for your approval" in queue
    assert "Approving updates this memory: “Alice lives in Leeds.”" in queue
    assert "Alice is learning Welsh." not in section(html, "group-fact")  # not in use yet

    r = post(env, f"/memory/{welsh}/reject", token, next="/memory")
    assert r.headers["location"] == "/memory?done=rejected"
    assert texts(env, uid, status="pending") == ["Alice lives in York."]
    assert "Alice is learning Welsh." not in page(env, "/memory")

    r = post(env, f"/memory/{moved}/approve", token, next=f"/memory/{moved}")
    assert r.headers["location"] == f"/memory/{target}?done=approved"
    assert texts(env, uid) == ["Alice lives in York."]
    html = page(env, r.headers["location"])
    assert "Approved: your companion can now use this memory." in html
    assert 'id="review-heading"' not in page(env, "/memory")

    r = post(env, f"/memory/{target}/approve", token, next=f"/memory/{target}")
    assert r.status_code == 422
    assert "This memory is not waiting for review" in section(r.text, "review-heading")


def _extractor(trigger: str, text: str) -> Any:
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


def test_review_mode_from_the_page_queues_extracted_memory_for_approval(tmp_path: Path) -> None:
    provider = FakeProvider(
        structured=_extractor("Reykjavik", "Alice's sister lives in Reykjavik.")
    )
    env = make_env(tmp_path / "review", provider=provider, embeddings="off")
    try:
        token, uid, mira = start(env)
        r = post(env, f"/memory/mode/{mira}", token, mode="review", next="/memory")
        assert r.headers["location"] == "/memory?done=mode"
        html = page(env, r.headers["location"])
        assert "Memory setting saved." in html
        assert 'value="review" aria-describedby' in html
        assert " checked> Review" in html
        conv = env.services.conversations.create(uid, mira, None, user_name="alice").id
        post(env, f"/chat/{conv}/send", token, content="My sister lives in Reykjavik")
        asyncio.run(env.services.memory_worker.drain(wait_idle=False))

        [pending], _ = env.services.memory.list(uid, status="pending")
        html = page(env, "/memory")
        assert "Alice&#39;s sister lives in Reykjavik." in section(html, "review-heading")
        assert env.services.memory.list(uid, status="active") == ([], 0)
        r = post(env, f"/memory/{pending.id}/approve", token, next="/memory")
        assert r.headers["location"] == "/memory?done=approved"
        assert texts(env, uid, status="active") == ["Alice's sister lives in Reykjavik."]
        sources = section(page(env, f"/memory/{pending.id}"), "sources-heading")
        assert "My sister lives in Reykjavik" in sources
        assert f"/chat/{conv}" in sources
    finally:
        env.client.close()
        env.services.close()


# --- forget and clear -----------------------------------------------------------------------


def test_forget_shows_what_goes_then_deletes_memories_and_messages(env: Env) -> None:
    token, uid, mira = start(env)
    conv = env.services.conversations.create(uid, mira, None, user_name="alice").id
    post(env, f"/chat/{conv}/send", token, content="My ex is called Jordan")
    [said] = [
        m.id
        for m in env.services.conversations.messages(uid, conv, before=None, limit=50).items
        if m.role == "user"
    ]
    extracted(env, uid, mira, "Alice's ex is called Jordan.", sources=[said])
    remember(env, uid, mira, "Jordan moved to Spain.", kind="relationship")
    remember(env, uid, mira, "Alice loves Spanish food.")

    r = post(env, "/memory/forget", token, about="Jordan", delete_messages="yes")
    assert r.status_code == 200
    assert "Forget everything about “Jordan”?" in r.text
    assert "Alice&#39;s ex is called Jordan." in r.text
    assert "Jordan moved to Spain." in r.text
    assert "Spanish food" not in r.text
    assert "The 1 message they came from will be deleted" in r.text
    assert len(env.services.memory.list(uid)[0]) == 3  # nothing deleted yet
    confirm = re.search(r'<form method="post" action="/memory/forget".*?</form>', r.text, re.S)
    assert confirm is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', confirm.group(0)))
    assert fields | {"csrf_token": ""} == {
        "csrf_token": "",
        "about": "Jordan",
        "companion_id": "",
        "delete_messages": "yes",
        "confirm": "yes",
    }

    r = post(env, "/memory/forget", token, **{k: v for k, v in fields.items() if k != "csrf_token"})
    assert r.status_code == 303
    assert r.headers["location"] == "/memory?done=forgotten&m=2&n=1"
    assert "Forgotten: 2 memories and 1 message deleted." in page(env, r.headers["location"])
    assert texts(env, uid) == ["Alice loves Spanish food."]
    remaining = env.services.conversations.messages(uid, conv, before=None, limit=50).items
    assert said not in [m.id for m in remaining]


def test_forget_nothing_matching_and_bad_phrase(env: Env) -> None:
    token, uid, mira = start(env)
    remember(env, uid, mira, "Alice started a new job.")
    r = post(env, "/memory/forget", token, about="art")
    assert r.status_code == 200
    assert "There is nothing to forget." in r.text
    assert 'name="confirm"' not in r.text
    r = post(env, "/memory/forget", token, about="the")
    assert r.status_code == 422
    assert "Say what to forget" in section(r.text, "forget-heading")
    r = post(env, "/memory/forget", token, about="job", companion_id=MISSING_ID, confirm="yes")
    assert r.status_code == 404
    assert "No such companion" in section(r.text, "forget-heading")
    assert texts(env, uid) == ["Alice started a new job."]


def test_clear_needs_confirmation_and_can_be_one_companion(env: Env) -> None:
    token, uid, mira = start(env)
    sol = new_companion(env, token, "sol")
    remember(env, uid, mira, "Alice knits.")
    extracted(env, uid, mira, "Alice knits scarves.", status="pending")
    remember(env, uid, sol, "Alice sews.")
    r = post(env, "/memory/clear", token, companion_id=mira)
    assert r.status_code == 400
    assert "Tick the box to confirm" in section(r.text, "clear-heading")
    assert len(env.services.memory.list(uid)[0]) == 3

    r = post(env, "/memory/clear", token, companion_id=mira, confirm="yes")
    assert r.headers["location"] == "/memory?done=cleared&m=2"
    assert "Cleared: 2 memories deleted." in page(env, r.headers["location"])
    assert texts(env, uid) == ["Alice sews."]
    post(env, "/memory/clear", token, confirm="yes")
    assert env.services.memory.list(uid) == ([], 0)


# --- modes ----------------------------------------------------------------------------------


def test_memory_mode_per_companion_shown_and_changed(env: Env) -> None:
    token, uid, mira = start(env)
    sol = new_companion(env, token, "sol")
    html = page(env, "/memory")
    assert "<legend>Memory for Mira</legend>" in html
    assert "<legend>Memory for Sol</legend>" in html
    assert "Remembers nothing new and recalls nothing" in html
    r = post(env, f"/memory/mode/{sol}", token, mode="off", next="/memory")
    assert r.status_code == 303
    assert env.services.memory.mode(uid, sol) == "off"
    assert env.services.memory.mode(uid, mira) == "on"
    form = re.search(rf'action="/memory/mode/{sol}".*?</form>', page(env, "/memory"), re.S)
    assert form is not None
    assert re.search(r'value="off"[^>]* checked', form.group(0))

    r = post(env, f"/memory/mode/{sol}", token, mode="sometimes")
    assert r.status_code == 422
    assert "Memory mode must be one of" in r.text
    assert env.services.memory.mode(uid, sol) == "off"


def test_memory_paused_notice_without_consent(env: Env) -> None:
    start(env)
    assert 'id="memory-paused"' not in page(env, "/memory")
    uid = str(env.client.get("/api/me").json()["id"])
    env.services.consents.set(uid, "memory", False)
    assert 'id="memory-paused"' in page(env, "/memory")


# --- refusals -------------------------------------------------------------------------------


def test_other_users_memory_is_a_404_page_and_unchanged(env: Env) -> None:
    bob = env.sign_up("bob")
    bob_companion = bob.companion()["id"]
    bob_id = str(bob.get("/api/me").json()["id"])
    theirs = remember(env, bob_id, bob_companion, "Bob's secret hobby is falconry.")
    pending = extracted(env, bob_id, bob_companion, "Bob fears geese.", status="pending")
    token, uid, mira = start(env)

    for target in (theirs, MISSING_ID):
        html = page(env, f"/memory/{target}", status=404)
        assert "No such memory" in html
        assert "falconry" not in html
    attempts = [
        (f"/memory/{theirs}/edit", {"text": "hijacked", "kind": "fact"}),
        (f"/memory/{theirs}/pin", {"pinned": "yes"}),
        (f"/memory/{theirs}/delete", {"confirm": "yes"}),
        (f"/memory/{pending}/approve", {}),
        (f"/memory/{pending}/reject", {}),
        (f"/memory/mode/{bob_companion}", {"mode": "off"}),
        ("/memory/add", {"companion_id": bob_companion, "kind": "fact", "text": "planted"}),
        ("/memory/clear", {"companion_id": bob_companion, "confirm": "yes"}),
        ("/memory/forget", {"about": "falconry", "companion_id": bob_companion, "confirm": "yes"}),
    ]
    for url, data in attempts:
        r = post(env, url, token, **data)
        assert r.status_code == 404, url
        assert "secret hobby" not in r.text
    assert "No such companion" in page(env, f"/memory?companion={bob_companion}", status=404)
    # Alice's own bulk actions leave Bob's memories alone.
    post(env, "/memory/forget", token, about="falconry", confirm="yes")
    post(env, "/memory/clear", token, confirm="yes")
    assert texts(env, bob_id) == ["Bob fears geese.", "Bob's secret hobby is falconry."]
    assert env.services.memory.get(bob_id, theirs).pinned is False
    assert env.services.memory.mode(bob_id, bob_companion) == "on"
    assert "falconry" not in page(env, "/memory")


def test_forms_without_csrf_token_refused_and_nothing_changes(env: Env) -> None:
    token, uid, mira = start(env)
    item = remember(env, uid, mira, "Alice collects stamps.")
    pending = extracted(env, uid, mira, "Alice collects coins.", status="pending")
    before = (texts(env, uid), env.services.memory.history(uid, item))
    attempts = [
        (f"/memory/{item}/edit", {"text": "changed", "kind": "fact"}),
        (f"/memory/{item}/pin", {"pinned": "yes"}),
        (f"/memory/{item}/delete", {"confirm": "yes"}),
        (f"/memory/{pending}/approve", {}),
        (f"/memory/{pending}/reject", {}),
        (f"/memory/mode/{mira}", {"mode": "off"}),
        ("/memory/add", {"companion_id": mira, "kind": "fact", "text": "planted"}),
        ("/memory/clear", {"confirm": "yes"}),
        ("/memory/forget", {"about": "stamps", "confirm": "yes"}),
    ]
    for url, data in attempts:
        for forged in (None, "0" * 64):
            r = post(env, url, forged, **data)
            assert r.status_code == 403, url
            assert "did not come from this site" in r.text
    assert (texts(env, uid), env.services.memory.history(uid, item)) == before
    assert env.services.memory.get(uid, item).pinned is False
    assert env.services.memory.get(uid, pending).status == "pending"
    assert env.services.memory.mode(uid, mira) == "on"
    assert form_token(page(env, "/memory")) == token
