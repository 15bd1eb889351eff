"""The export format (promise P9): the versioned JSON Schema ``data.json`` is validated
against, the readable HTML rendering, and the zip they are packed into.

Shared by exports (``privacy/export.py``) and imports (``privacy/importer.py``). The schema
is shipped in the package (``privacy/schemas/export-v1.schema.json``) and copied into every
archive, so an export documents itself.

Threat handled: markup in content. Everything in the HTML rendering is escaped, and the page
carries its own Content-Security-Policy (no scripts, nothing loaded from elsewhere).
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

from confide.clock import as_utc
from confide.errors import InvalidInput

__all__ = [
    "ARCHIVE_MEMBERS",
    "EXPORT_FORMAT",
    "SCHEMA_FILE",
    "SCHEMA_VERSION",
    "pack_archive",
    "render_html",
    "schema_bytes",
    "validate_document",
]

EXPORT_FORMAT = "confide-export"
SCHEMA_VERSION = 1
SCHEMA_FILE = "export-v1.schema.json"
ARCHIVE_MEMBERS = ("data.json", "conversations.html", "schema.json", "README.txt")


# --- the schema --------------------------------------------------------------------------------


@cache
def schema_bytes() -> bytes:
    """The export schema as shipped in the package (also copied into every archive)."""
    return (resources.files("confide.privacy") / "schemas" / SCHEMA_FILE).read_bytes()


@cache
def _validator() -> Callable[[Any], Any]:
    # Compiled once per process: fastjsonschema generates Python code for the schema.
    return fastjsonschema.compile(json.loads(schema_bytes()))


def validate_document(document: Any) -> None:
    """Raise ``InvalidInput`` (code ``invalid_export``) naming the first failing path.

    The message names the path and the rule only, never the offending value: documents are
    personal data.
    """
    try:
        _validator()(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = "data.json" + str(exc.name or "data")[4:]
        raise InvalidInput(
            f"{where} does not match the export schema (rule: {exc.rule})",
            code="invalid_export",
        ) from None


# --- the readable rendering --------------------------------------------------------------------

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #d0d7de}
h3{margin-bottom:.2rem}.meta,time{color:#57606a;font-size:.85rem}
.msg{margin:.6rem 0;padding:.5rem .8rem;border-radius:.5rem;background:#f6f8fa}
.msg.ai{background:#eef4ff;border-left:4px solid #6e8fd6}
.who{font-weight:600;font-size:.9rem}.text{white-space:pre-wrap;overflow-wrap:anywhere}
.label{font-weight:400;font-size:.75rem;padding:0 .4rem;border-radius:.3rem;
background:#6e8fd6;color:#fff;margin-left:.3rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #d0d7de;padding:.3rem .5rem;
text-align:left;vertical-align:top}td.text{white-space:pre-wrap}
"""


def render_html(doc: dict[str, Any]) -> str:
    """``conversations.html``: every conversation grouped by companion, then the memories.

    Self-contained (inline CSS, no scripts, nothing fetched) and every piece of content
    escaped; the companion's messages are labelled as AI-generated.
    """
    e = html.escape
    names = {c["id"]: c["profile"]["name"] for c in doc["companions"]}
    by_companion: dict[str, list[dict[str, Any]]] = {}
    for conv in doc["conversations"]:
        by_companion.setdefault(conv["companion_id"], []).append(conv)
    profile = doc["profile"]
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>confide export of {e(profile['username'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Conversations of {e(profile['username'])}</h1>",
        f'<p class="meta">Exported {e(doc["exported_at"])} from confide '
        f"{e(doc['confide_version'])}. Messages marked AI-generated were written by an AI "
        "companion, not a person. The complete data is in data.json.</p>",
    ]
    for companion in doc["companions"]:
        name = e(companion["profile"]["name"])
        convs = by_companion.get(companion["id"], [])
        parts.append(
            f'<section><h2>{name}<span class="label">AI companion</span></h2>'
            f'<p class="meta">{len(convs)} conversations</p>'
        )
        ai_label = f'{name}<span class="label">AI-generated</span>'
        for conv in convs:
            title = e(conv["title"]) if conv["title"] else "Untitled conversation"
            parts.append(
                f'<article><h3>{title}</h3><p class="meta">Started '
                f"<time>{e(conv['created_at'])}</time> · {len(conv['messages'])} messages</p>"
            )
            for m in conv["messages"]:
                ai = m["ai_generated"]
                cut = " (interrupted)" if m["status"] == "interrupted" else ""
                parts.append(
                    f'<div class="msg{" ai" if ai else ""}"><div class="who">'
                    f"{ai_label if ai else 'You'} <time>{e(m['created_at'])}</time>{cut}"
                    f'</div><div class="text">{e(m["content"])}</div></div>'
                )
            parts.append("</article>")
        parts.append("</section>")
    parts.append(
        "<section><h2>What your companions remember</h2>"
        f'<p class="meta">{len(doc["memories"])} memories, with where each came from and its '
        "history, are in data.json.</p><table><thead><tr><th>Companion</th><th>Kind</th>"
        "<th>Status</th><th>Memory</th><th>Date</th></tr></thead><tbody>"
    )
    for mem in doc["memories"]:
        pinned = " (pinned)" if mem["pinned"] else ""
        parts.append(
            f"<tr><td>{e(names.get(mem['companion_id'], ''))}</td><td>{e(mem['kind'])}</td>"
            f'<td>{e(mem["status"])}{pinned}</td><td class="text">{e(mem["text"])}</td>'
            f"<td>{e(mem['event_date'] or '')}</td></tr>"
        )
    parts.append("</tbody></table></section></body></html>\n")
    return "".join(parts)


_README = """confide export
==============

This archive holds everything the confide instance stored about you, decrypted:

  data.json           all of it, machine-readable (format "confide-export", schema version {v})
  schema.json         the JSON Schema (draft-07) data.json follows, with a description of each field
  conversations.html  your conversations and memories, readable in any browser (no scripts,
                      nothing is loaded from the internet)
  README.txt          this file

Messages written by an AI companion are marked as AI-generated (ai_generated: true).

To move to another confide instance, import this file there as a new account:
  confide import FILE --username NAME       (the operator, on the server)
  POST /api/import                          (multipart: file, username, password)
Everything is imported with new ids, except your audit log (the new instance keeps its own)
and your sign-in sessions.

This file is not encrypted. Keep it somewhere safe, and delete it when you no longer need it.
"""


def pack_archive(data_json: bytes, html_text: str, exported_at: datetime) -> bytes:
    """The zip: deflated at a low level (JSON and HTML compress well even so; speed matters
    more for 100,000 messages), members readable by their owner only once unpacked."""
    stamp = as_utc(exported_at)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        members = (
            ("data.json", data_json),
            ("conversations.html", html_text.encode("utf-8")),
            ("schema.json", schema_bytes()),
            ("README.txt", _README.format(v=SCHEMA_VERSION).encode("utf-8")),
        )
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, body, compresslevel=1)
    return buf.getvalue()
