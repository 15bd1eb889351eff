"""The companion pages (create, edit, delete, Character Card import/export, conversation rename
and delete) and the chat page's "why did you say that?" page, through the ASGI app with the
session cookie, as a browser without JavaScript would use them."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from confide.companions.cards import MAX_CARD_BYTES
from tests.factories import Env
from tests.integration.test_web_pages import HTML, form_token, sign_up_as, signed_in

PROFILE = {
    "name": "Juniper",
    "gender": "non-binary",
    "persona": "A retired astronomer who names every cat after a comet.",
    "tone": "Gentle, curious.",
    "greeting": "Oh, hello {{user}}. Clear skies tonight?",
    "example_dialogue": "<START>\n{{user}}: Seen anything?\n{{char}}: A comet, almost.",
}
CARD: dict[str, Any] = {
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


# --- helpers -----------------------------------------------------------------------------------
def api(token: str) -> dict[str, str]:
    """Headers for the JSON API with the browser's session cookie."""
    return {"X-CSRF-Token": token}


def companions(env: Env) -> list[dict[str, Any]]:
    r = env.client.get("/api/companions")
    assert r.status_code == 200, r.text
    return list(r.json())


def create(env: Env, token: str, **fields: str) -> str:
    r = env.client.post(
        "/companions/new", data={**PROFILE, **fields, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    match = re.fullmatch(r"/companions/([0-9a-f]+)\?done=created", r.headers["location"])
    assert match is not None, r.headers["location"]
    return match.group(1)


def start_conversation(env: Env, token: str, companion_id: str, title: str = "") -> str:
    r = env.client.post(
        f"/companions/{companion_id}/conversations",
        data={"csrf_token": token, "title": title},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"].rsplit("/", 1)[1])


def say(env: Env, token: str, conversation_id: str, text: str) -> dict[str, Any]:
    r = env.client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": text},
        headers=api(token),
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def remember(env: Env, token: str, companion_id: str, text: str) -> dict[str, Any]:
    r = env.client.post(
        "/api/memories",
        json={"companion_id": companion_id, "kind": "fact", "text": text},
        headers=api(token),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def import_card(env: Env, token: str | None, data: bytes, name: str, ctype: str) -> Any:
    fields = {"csrf_token": token} if token is not None else {}
    return env.client.post(
        "/companions/import",
        data=fields,
        files={"file": (name, data, ctype)},
        headers=HTML,
        follow_redirects=False,
    )


def png_card(card: dict[str, Any]) -> bytes:
    """A PNG image carrying the card base64-encoded in a ``chara`` text chunk, as SillyTavern
    writes them."""
    info = PngInfo()
    info.add_text("chara", base64.b64encode(json.dumps(card).encode()).decode())
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 60, 90)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def second_user(env: Env) -> None:
    """Log the client out and sign up as bob (the client then carries bob's cookie)."""
    sign_up_as(env, "bob")


def text_of(page: str) -> str:
    """The page's text with tags and surplus whitespace removed (entities decoded)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# --- gallery -----------------------------------------------------------------------------------
def test_gallery_offers_create_link_and_import_form(env: Env) -> None:
    signed_in(env)
    page = env.client.get("/companions", headers=HTML).text
    assert 'href="/companions/new"' in page
    assert 'action="/companions/import" enctype="multipart/form-data"' in page
    assert '<label for="card-file">Character Card file</label>' in page
    assert 'id="card-file" name="file" type="file"' in page


# --- create ------------------------------------------------------------------------------------
def test_create_form_has_a_labelled_control_for_every_api_field(env: Env) -> None:
    signed_in(env)
    page = env.client.get("/companions/new", headers=HTML).text
    for field in PROFILE:
        assert f'<label for="field-{field}">' in page
        assert f'id="field-{field}" name="{field}"' in page


def test_create_valid_input_creates_companion_and_shows_notice(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    [made] = companions(env)
    assert made["id"] == cid
    assert {k: made[k] for k in PROFILE} == PROFILE
    page = env.client.get(f"/companions/{cid}?done=created", headers=HTML).text
    assert "Companion created." in page
    assert "<h1>Juniper</h1>" in page


def test_create_invalid_input_shows_errors_keeps_input_creates_nothing(env: Env) -> None:
    token = signed_in(env)
    r = env.client.post(
        "/companions/new",
        data={
            **PROFILE,
            "name": "   ",
            "gender": "g" * 101,
            "persona": "Kept <b>as typed</b>",
            "csrf_token": token,
        },
        headers=HTML,
    )
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    assert '<p class="field-error" id="error-name">Enter a name.</p>' in r.text
    assert '<p class="field-error" id="error-gender">Use at most 100 characters.</p>' in r.text
    assert 'aria-invalid="true"' in r.text
    # What was typed is offered again (escaped), so nothing is lost.
    assert "Kept &lt;b&gt;as typed&lt;/b&gt;</textarea>" in r.text
    assert PROFILE["tone"] + "</textarea>" in r.text
    assert companions(env) == []


def test_create_without_csrf_token_refused_nothing_created(env: Env) -> None:
    signed_in(env)
    for token in ("", "f" * 64):
        r = env.client.post("/companions/new", data={**PROFILE, "csrf_token": token}, headers=HTML)
        assert r.status_code == 403
        assert "did not come from this site" in r.text
    assert companions(env) == []


def test_signed_out_pages_go_to_login(env: Env) -> None:
    for url in ("/companions/new", "/companions/abc/edit", "/companions/abc/delete"):
        r = env.client.get(url, headers=HTML, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/login"


# --- edit --------------------------------------------------------------------------------------
def test_edit_form_prefilled_then_saved(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    page = env.client.get(f"/companions/{cid}/edit", headers=HTML).text
    assert 'value="Juniper"' in page
    assert html.escape(PROFILE["example_dialogue"], quote=False) + "</textarea>" in page
    r = env.client.post(
        f"/companions/{cid}/edit",
        data={**PROFILE, "name": "June", "tone": "Dry.", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/companions/{cid}?done=saved"
    [saved] = companions(env)
    assert (saved["name"], saved["tone"], saved["persona"]) == ("June", "Dry.", PROFILE["persona"])
    assert "Changes saved." in env.client.get(r.headers["location"], headers=HTML).text


def test_edit_keeps_imported_card_fields_the_form_does_not_show(env: Env) -> None:
    token = signed_in(env)
    r = import_card(env, token, json.dumps(CARD).encode(), "wren.json", "application/json")
    cid = r.headers["location"].split("/")[2].split("?")[0]
    env.client.post(
        f"/companions/{cid}/edit",
        data={**PROFILE, "name": "Wren II", "csrf_token": token},
    )
    [saved] = companions(env)
    assert saved["name"] == "Wren II"
    assert saved["tags"] == ["boats"]


def test_edit_invalid_input_shows_errors_changes_nothing(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    r = env.client.post(
        f"/companions/{cid}/edit",
        data={**PROFILE, "name": "", "persona": "new persona", "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 422
    assert "Enter a name." in r.text
    assert "new persona</textarea>" in r.text
    assert f'action="/companions/{cid}/edit"' in r.text
    [saved] = companions(env)
    assert saved["name"] == "Juniper"
    assert saved["persona"] == PROFILE["persona"]


# --- delete ------------------------------------------------------------------------------------
def test_delete_confirmation_states_what_goes_then_deletes_everything(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    keep = create(env, token, name="Keeper")
    conv = start_conversation(env, token, cid, "Stargazing")
    say(env, token, conv, "I saw Jupiter last night")
    memory = remember(env, token, cid, "Alice owns a small telescope.")

    page = env.client.get(f"/companions/{cid}/delete", headers=HTML)
    assert page.status_code == 200
    words = text_of(page.text)
    assert "1 conversation with 3 messages in all" in words  # greeting, message, reply
    assert "Stargazing" in words
    assert "1 memory Juniper kept about you" in words
    assert "cannot be undone" in words
    assert f'action="/companions/{cid}/delete"' in page.text
    assert len(companions(env)) == 2  # showing the confirmation deletes nothing

    r = env.client.post(
        f"/companions/{cid}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    gallery = env.client.get(r.headers["location"], headers=HTML).text
    assert "The companion was deleted, with 1 conversation, 3 messages and 1 memory." in gallery
    assert [c["id"] for c in companions(env)] == [keep]
    assert env.client.get(f"/api/conversations/{conv}").status_code == 404
    assert env.client.get(f"/api/memories/{memory['id']}").status_code == 404
    assert env.client.get(f"/companions/{cid}", headers=HTML).status_code == 404


def test_delete_without_csrf_token_refused_nothing_deleted(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    conv = start_conversation(env, token, cid)
    r = env.client.post(f"/companions/{cid}/delete", data={}, headers=HTML)
    assert r.status_code == 403
    assert len(companions(env)) == 1
    assert env.client.get(f"/api/conversations/{conv}").status_code == 200


# --- Character Card import and export ----------------------------------------------------------
def test_import_json_card_creates_companion(env: Env) -> None:
    token = signed_in(env)
    r = import_card(env, token, json.dumps(CARD).encode(), "wren.json", "application/json")
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("?done=imported")
    page = env.client.get(r.headers["location"], headers=HTML).text
    assert "Character Card imported." in page
    assert "<h1>Wren</h1>" in page
    [made] = companions(env)
    assert made["greeting"] == "Last crossing. Hop on."


def test_import_png_card_creates_companion(env: Env) -> None:
    token = signed_in(env)
    r = import_card(env, token, png_card(CARD), "wren.png", "image/png")
    assert r.status_code == 303, r.text
    [made] = companions(env)
    assert made["name"] == "Wren"
    assert "ferry pilot" in made["persona"]


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (b"this is not json", "card.json", 422, "not valid JSON"),
        (b"GIF89a not a png", "card.png", 422, "neither a PNG image"),
        (b" " * (MAX_CARD_BYTES + 1), "big.json", 413, f"at most {MAX_CARD_BYTES} bytes"),
        (b"", "", 422, "Choose a Character Card file"),
    ],
    ids=["not-json", "not-png", "too-large", "no-file"],
)
def test_import_bad_card_error_on_gallery_with_form_nothing_created(
    env: Env, data: bytes, name: str, status: int, message: str
) -> None:
    token = signed_in(env)
    r = import_card(env, token, data, name, "application/octet-stream")
    assert r.status_code == status
    assert '<p class="error" role="alert" id="import-error">' in r.text
    assert message in r.text
    assert 'action="/companions/import"' in r.text  # the form is there to try again
    assert "Start from a starter companion" in r.text
    assert companions(env) == []


def test_import_without_csrf_token_refused_nothing_created(env: Env) -> None:
    signed_in(env)
    r = import_card(env, None, json.dumps(CARD).encode(), "wren.json", "application/json")
    assert r.status_code == 403
    assert companions(env) == []


def test_export_json_and_png_are_downloads_that_import_again(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    page = env.client.get(f"/companions/{cid}", headers=HTML).text
    assert f'href="/companions/{cid}/export?format=json" download' in page
    assert f'href="/companions/{cid}/export?format=png" download' in page

    r = env.client.get(f"/companions/{cid}/export?format=json", headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-disposition"] == 'attachment; filename="Juniper.json"'
    assert r.headers["cache-control"] == "no-store"
    card = r.json()
    assert card["spec"] == "chara_card_v2"
    assert card["data"]["name"] == "Juniper"

    r = env.client.get(f"/companions/{cid}/export?format=png", headers=HTML)
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"] == 'attachment; filename="Juniper.png"'
    r = import_card(env, token, r.content, "Juniper.png", "image/png")
    assert r.status_code == 303
    names = sorted(c["name"] for c in companions(env))
    assert names == ["Juniper", "Juniper"]


# --- conversations: rename and delete ----------------------------------------------------------
def test_conversation_rename_and_delete_with_confirmation(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    conv = start_conversation(env, token, cid, "First title")
    other = start_conversation(env, token, cid, "Stays")
    say(env, token, conv, "hello there")

    r = env.client.post(
        f"/conversations/{conv}/rename",
        data={"title": "Better title", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = env.client.get(r.headers["location"], headers=HTML).text
    assert "Conversation renamed." in page
    assert "Better title</a>" in page
    r = env.client.post(
        f"/conversations/{conv}/rename",
        data={"title": "x" * 101, "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 422
    assert "at most 100 characters" in r.text
    assert env.client.get(f"/api/conversations/{conv}").json()["title"] == "Better title"

    page = env.client.get(f"/conversations/{conv}/delete", headers=HTML).text
    assert "3 messages" in text_of(page)
    assert env.client.get(f"/api/conversations/{conv}").status_code == 200
    r = env.client.post(
        f"/conversations/{conv}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    page = env.client.get(r.headers["location"], headers=HTML).text
    assert "The conversation was deleted, with 3 messages." in page
    assert env.client.get(f"/api/conversations/{conv}").status_code == 404
    assert env.client.get(f"/api/conversations/{other}").status_code == 200


def test_conversation_rename_and_delete_without_csrf_refused(env: Env) -> None:
    token = signed_in(env)
    conv = start_conversation(env, token, create(env, token), "Title")
    r = env.client.post(f"/conversations/{conv}/rename", data={"title": "Hijacked"}, headers=HTML)
    assert r.status_code == 403
    r = env.client.post(f"/conversations/{conv}/delete", data={}, headers=HTML)
    assert r.status_code == 403
    assert env.client.get(f"/api/conversations/{conv}").json()["title"] == "Title"


# --- another user's objects --------------------------------------------------------------------
def test_another_users_companion_and_conversation_are_404_and_untouched(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    conv = start_conversation(env, token, cid, "Private")
    reply = say(env, token, conv, "a secret")["reply"]["id"]
    alice_cookies = dict(env.client.cookies)

    second_user(env)
    bob = form_token(env.client.get("/companions", headers=HTML).text)
    gets = [
        f"/companions/{cid}",
        f"/companions/{cid}/edit",
        f"/companions/{cid}/delete",
        f"/companions/{cid}/export?format=json",
        f"/conversations/{conv}/delete",
        f"/messages/{reply}/why",
    ]
    for url in gets:
        r = env.client.get(url, headers=HTML)
        assert r.status_code == 404, url
        assert "a secret" not in r.text
        assert "Juniper" not in r.text
    posts = [
        (f"/companions/{cid}/edit", {**PROFILE, "name": "Hijacked"}),
        (f"/companions/{cid}/delete", {}),
        (f"/conversations/{conv}/rename", {"title": "Hijacked"}),
        (f"/conversations/{conv}/delete", {}),
    ]
    for url, data in posts:
        r = env.client.post(url, data={**data, "csrf_token": bob}, headers=HTML)
        assert r.status_code == 404, url

    env.client.cookies.clear()
    env.client.cookies.update(alice_cookies)
    [mine] = companions(env)
    assert mine["name"] == "Juniper"
    assert env.client.get(f"/api/conversations/{conv}").json()["title"] == "Private"


# --- why did you say that? ---------------------------------------------------------------------
def test_chat_page_has_why_link_for_companion_messages_only(env: Env) -> None:
    token = signed_in(env)
    conv = start_conversation(env, token, create(env, token))
    turn = say(env, token, conv, "hello")
    page = env.client.get(f"/chat/{conv}", headers=HTML).text
    reply = turn["reply"]["id"]
    assert f'<a class="why-link" href="/messages/{reply}/why"' in page
    assert f'href="/messages/{turn["user_message"]["id"]}/why"' not in page
    assert f'id="m-{reply}"' in page


def test_why_page_lists_the_memory_a_reply_used(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    memory = remember(env, token, cid, "Alice's sister is named Quillonia.")
    conv = start_conversation(env, token, cid)
    reply = say(env, token, conv, "Do you remember my sister Quillonia?")["reply"]

    r = env.client.get(f"/messages/{reply['id']}/why", headers=HTML)
    assert r.status_code == 200
    words = text_of(r.text)
    assert "Memories it used (1)" in words
    assert "Fact Alice's sister is named Quillonia." in words
    assert f'href="/memory/{memory["id"]}"' in r.text
    assert "AI-generated" in words
    assert f'href="/chat/{conv}#m-{reply["id"]}"' in r.text  # back to the reply

    env.client.delete(f"/api/memories/{memory['id']}", headers=api(token))
    words = text_of(env.client.get(f"/messages/{reply['id']}/why", headers=HTML).text)
    assert "Quillonia." not in words.replace("Do you remember my sister Quillonia?", "")
    assert "1 memory it used has been deleted since." in words


def test_why_page_lists_an_earlier_message_from_another_conversation(env: Env) -> None:
    token = signed_in(env)
    cid = create(env, token)
    first = start_conversation(env, token, cid, "Bikes")
    told = say(env, token, first, "My bicycle is called Thistledown")["user_message"]
    second = start_conversation(env, token, cid)
    reply = say(env, token, second, "What is Thistledown?")["reply"]

    r = env.client.get(f"/messages/{reply['id']}/why", headers=HTML)
    words = text_of(r.text)
    assert "Earlier messages it used" in words
    assert "You , 2026-11-23 12:00 UTC My bicycle is called Thistledown" in words
    assert f'<a href="/chat/{first}#m-{told["id"]}">In “Bikes”</a>' in r.text


def test_why_page_of_a_reply_that_used_nothing_says_so(env: Env) -> None:
    token = signed_in(env)
    conv = start_conversation(env, token, create(env, token))
    messages = env.client.get(f"/api/conversations/{conv}/messages").json()["items"]
    greeting = messages[0]
    assert greeting["sender"] == "companion"
    r = env.client.get(f"/messages/{greeting['id']}/why", headers=HTML)
    assert r.status_code == 200
    assert "This reply used no memories and no earlier messages" in text_of(r.text)
    assert "Memories it used" not in r.text


def test_why_page_of_unknown_message_is_404(env: Env) -> None:
    signed_in(env)
    r = env.client.get(f"/messages/{'0' * 32}/why", headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
