// Streams a companion's reply into the chat page, and opens "why did you say that?" in place.
// Without this file the send form still works (a plain POST that waits for the whole reply) and
// each reply's "why" link opens its own page. Loaded from this server only (CSP script-src
// 'self'); talks only to this server's JSON API, with the page's CSRF token. Every piece of
// message or memory text is set with textContent, never parsed as HTML.
"use strict";

(function () {
  const form = document.getElementById("send-form");
  if (!form || !window.fetch || !window.AbortController || !window.TextDecoder) {
    return;
  }
  const list = document.getElementById("messages");
  const textarea = form.querySelector("textarea[name=content]");
  const sendButton = document.getElementById("send-button");
  const stopButton = document.getElementById("stop-button");
  const status = document.getElementById("chat-status");
  const csrfToken = form.querySelector("input[name=csrf_token]").value;
  const url = "/api/conversations/" + encodeURIComponent(form.dataset.conversationId) + "/messages";
  const companionName = form.dataset.companionName || "The companion";
  let controller = null;

  function cloneTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function addMessage(kind, text) {
    const item = cloneTemplate("message-template-" + kind);
    item.querySelector(".message-text").textContent = text;
    list.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function finishMessage(item, message) {
    // The stored message: its id, its text as kept, and its tools (why, delete).
    if (item.dataset.messageId) {
      return;
    }
    const id = encodeURIComponent(message.id);
    item.dataset.messageId = message.id;
    item.id = "m-" + message.id;
    item.querySelector(".message-text").textContent = message.content;
    const tools = cloneTemplate("tools-template");
    if (item.classList.contains("from-companion")) {
      const why = cloneTemplate("why-template");
      why.href = "/messages/" + id + "/why";
      why.dataset.messageId = message.id;
      tools.appendChild(why);
      tools.appendChild(document.createTextNode(" "));
      const report = cloneTemplate("report-template");
      report.href = "/reports/new?conversation=" + encodeURIComponent(message.conversation_id) +
        "&message=" + id;
      tools.appendChild(report);
    }
    const del = cloneTemplate("delete-template");
    del.action = "/messages/" + id + "/delete";
    tools.appendChild(del);
    item.appendChild(tools);
  }

  function cardItem(child) {
    const li = document.createElement("li");
    li.className = "card-item";
    li.appendChild(child);
    return li;
  }

  function safetyCard(card) {
    // Helplines for the user's country (P11); every string is set as text, never as HTML.
    const aside = element("aside", "safety-card");
    aside.setAttribute("aria-label", card.title);
    aside.appendChild(element("h2", null, card.title));
    aside.appendChild(element("p", null, card.message));
    const ul = element("ul", "helplines");
    for (const h of card.helplines) {
      const li = document.createElement("li");
      li.appendChild(element("strong", null, h.name));
      if (h.phone) {
        li.appendChild(document.createTextNode(": "));
        h.phone.split(" or ").forEach(function (part, i) {
          if (i > 0) {
            li.appendChild(document.createTextNode(" or "));
          }
          li.appendChild(link("tel:" + part.replace(/\s+/g, ""), part));
        });
      }
      if (h.sms) {
        li.appendChild(document.createTextNode(" (text " + h.sms + ")"));
      }
      if (h.hours) {
        li.appendChild(document.createTextNode(", " + h.hours));
      }
      if (h.url) {
        li.appendChild(document.createTextNode(" · "));
        const site = link(h.url, "website");
        site.rel = "noopener noreferrer";
        li.appendChild(site);
      }
      ul.appendChild(li);
    }
    aside.appendChild(ul);
    if (card.emergency) {
      const p = element("p", null, "In an emergency, call ");
      p.appendChild(link("tel:" + card.emergency, card.emergency));
      p.appendChild(document.createTextNode("."));
      aside.appendChild(p);
    }
    const note = element("p", "muted",
      "Nothing was sent to anyone. This card is recorded only in your own audit log. " +
      "Helplines shown for " + card.country_name + ".");
    aside.appendChild(note);
    return aside;
  }

  function markStopped(item) {
    const badge = document.createElement("span");
    badge.className = "badge muted";
    badge.textContent = "stopped";
    item.querySelector(".message-head").appendChild(badge);
  }

  function setBusy(busy) {
    sendButton.disabled = busy;
    stopButton.hidden = !busy;
    if (busy) {
      stopButton.focus();
    } else {
      textarea.focus();
    }
  }

  function parseEvent(chunk) {
    let name = "message";
    const data = [];
    for (const line of chunk.split("\n")) {
      if (line.startsWith("event:")) {
        name = line.slice(6).trim();
      } else if (line.startsWith("data:")) {
        data.push(line.slice(5).trimStart());
      }
    }
    return { name: name, data: data.length ? JSON.parse(data.join("\n")) : {} };
  }

  async function errorMessage(response, fallback) {
    try {
      const body = await response.json();
      return body.error.message;
    } catch (e) {
      return (fallback || "the message could not be sent") + " (" + response.status + ")";
    }
  }

  async function readStream(response, state) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        handleEvent(parseEvent(buffer.slice(0, end)), state);
        buffer = buffer.slice(end + 2);
      }
    }
  }

  function handleEvent(event, state) {
    if (event.name === "user_message") {
      state.userSeq = event.data.seq;
      finishMessage(state.userItem, event.data);
      state.replyItem = addMessage("companion", "");
      state.replyText = "";
      status.textContent = "The companion is replying…";
    } else if (event.name === "safety") {
      state.userItem.after(cardItem(safetyCard(event.data)));
    } else if (event.name === "warning") {
      const warning = cloneTemplate("warning-template");
      warning.querySelector("p").textContent = event.data.message;
      warning.querySelector("form").action =
        "/messages/" + encodeURIComponent(event.data.message_id) + "/delete";
      warning.querySelector(".keep-link").addEventListener("click", function (e) {
        e.preventDefault();
        warning.parentElement.remove();
      });
      state.userItem.after(cardItem(warning));
    } else if (event.name === "delta") {
      state.replyText += event.data.text;
      state.replyItem.querySelector(".message-text").textContent = state.replyText;
      state.replyItem.scrollIntoView({ block: "end" });
    } else if (event.name === "reply") {
      finishMessage(state.replyItem, event.data);
      state.done = true;
      status.textContent = "Reply complete.";
    } else if (event.name === "error") {
      if (state.replyItem) {
        state.replyItem.remove();
      }
      state.done = true;
      status.textContent = "No reply: " + event.data.message;
    }
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function latestMessages() {
    try {
      const response = await fetch(url + "?limit=20", {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      return response.ok ? (await response.json()).items : null;
    } catch (e) {
      return null;
    }
  }

  function isOnPage(message) {
    return Array.prototype.some.call(list.querySelectorAll("li[data-message-id]"), function (li) {
      return li.dataset.messageId === message.id;
    });
  }

  async function recoverStopped(state, text) {
    // A stopped reply is kept by the server (status "interrupted") once it notices the closed
    // connection; ask for the latest messages until it is there, to learn the ids of the kept
    // messages and give them their Delete and "why" controls without a reload.
    const wantsReply = Boolean(state.replyItem && state.replyText);
    for (let attempt = 0; attempt < 20; attempt++) {
      const items = await latestMessages();
      if (items) {
        if (!state.userItem.dataset.messageId) {
          const mine = items.filter(function (m) {
            return m.sender === "user" && m.content === text && !isOnPage(m);
          }).pop();
          if (mine) {
            state.userSeq = mine.seq;
            finishMessage(state.userItem, mine);
          }
        }
        if (!wantsReply) {
          if (state.userItem.dataset.messageId || attempt >= 3) {
            return;
          }
        } else if (state.userSeq !== null) {
          const reply = items.find(function (m) {
            return m.sender === "companion" && m.status === "interrupted" &&
              m.seq > state.userSeq && !isOnPage(m);
          });
          if (reply) {
            finishMessage(state.replyItem, reply);
            return;
          }
        }
      }
      await sleep(250);
    }
  }

  async function send(text) {
    controller = new AbortController();
    const state = {
      userItem: addMessage("user", text),
      userSeq: null,
      replyItem: null,
      replyText: "",
      done: false,
    };
    let stopped = false;
    setBusy(true);
    status.textContent = "Sending…";
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "text/event-stream",
          "X-CSRF-Token": csrfToken,
        },
        body: JSON.stringify({ content: text, stream: true }),
        signal: controller.signal,
      });
      if (!response.ok) {
        state.userItem.remove();
        textarea.value = text;
        status.textContent = "Not sent: " + (await errorMessage(response));
        return;
      }
      await readStream(response, state);
    } catch (err) {
      if (err.name === "AbortError") {
        stopped = true;
        if (state.replyItem && state.replyText) {
          markStopped(state.replyItem);
          status.textContent = "Stopped. What was written so far is kept.";
        } else {
          if (state.replyItem) {
            state.replyItem.remove();
          }
          status.textContent = "Stopped.";
        }
      } else {
        status.textContent = "The connection was lost; reload the page to see what was saved.";
      }
    } finally {
      controller = null;
      setBusy(false);
    }
    if (stopped) {
      await recoverStopped(state, text);
    }
  }

  // --- why did you say that? -----------------------------------------------------------------
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function link(href, text) {
    const a = element("a", "", text);
    a.href = href;
    return a;
  }

  function when(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function excerpt(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  const KINDS = {
    fact: "Fact",
    preference: "Preference",
    event: "Event",
    relationship: "Relationship",
    summary: "Summary",
  };

  function renderSources(panel, sources, pageUrl) {
    panel.textContent = "";
    const memories = sources.memories || [];
    const messages = sources.messages || [];
    if (!memories.length && !messages.length && !sources.summary) {
      panel.appendChild(element("p", "", "This reply used no memories and no earlier messages" +
        (sources.deleted_memories ? " that still exist." : ".")));
    }
    if (memories.length || sources.deleted_memories) {
      panel.appendChild(element("h3", "", "Memories it used (" + memories.length + ")"));
      const ul = element("ul", "why-list");
      for (const m of memories) {
        const li = element("li", "why-memory");
        li.appendChild(element("span", "badge", KINDS[m.kind] || m.kind));
        li.appendChild(element("span", "why-text", m.text));
        li.appendChild(link("/memory/" + encodeURIComponent(m.id), "See or change this memory"));
        ul.appendChild(li);
      }
      if (memories.length) {
        panel.appendChild(ul);
      }
      if (sources.deleted_memories) {
        const one = sources.deleted_memories === 1;
        panel.appendChild(element("p", "meta", sources.deleted_memories +
          (one ? " memory it used has" : " memories it used have") + " been deleted since."));
      }
    }
    if (sources.summary) {
      panel.appendChild(element("h3", "", "Summary of the conversation it used"));
      panel.appendChild(element("p", "why-text", sources.summary.text));
    }
    if (messages.length) {
      panel.appendChild(element("h3", "", "Earlier messages it used (" + messages.length + ")"));
      const ul = element("ul", "why-list");
      for (const m of messages) {
        const li = element("li", "why-source-message");
        li.appendChild(element("span", "sender", m.ai_generated ? companionName : "You"));
        if (m.ai_generated) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(element("span", "badge ai-label", "AI-generated"));
        }
        li.appendChild(document.createTextNode(", " + when(m.created_at)));
        li.appendChild(element("span", "why-text", excerpt(m.content, 300)));
        li.appendChild(link("/chat/" + encodeURIComponent(m.conversation_id) + "#m-" +
          encodeURIComponent(m.id), "Open in its conversation"));
        ul.appendChild(li);
      }
      panel.appendChild(ul);
    }
    const more = element("p");
    more.appendChild(link(pageUrl, "Open this on its own page"));
    panel.appendChild(more);
  }

  async function toggleWhy(whyLink) {
    const item = whyLink.closest("li.message");
    const existing = item.querySelector(".why-panel");
    if (existing) {
      existing.hidden = !existing.hidden;
      whyLink.setAttribute("aria-expanded", String(!existing.hidden));
      return;
    }
    const id = whyLink.dataset.messageId;
    const panel = element("div", "why-panel", "Loading what this reply used…");
    panel.id = "why-" + id;
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", "Why " + companionName + " said that");
    panel.setAttribute("aria-live", "polite");
    item.appendChild(panel);
    whyLink.setAttribute("aria-controls", panel.id);
    whyLink.setAttribute("aria-expanded", "true");
    try {
      const response = await fetch("/api/messages/" + encodeURIComponent(id) + "/sources", {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      if (!response.ok) {
        throw new Error(await errorMessage(response, "the server did not answer"));
      }
      renderSources(panel, await response.json(), whyLink.href);
    } catch (err) {
      panel.textContent = "";
      panel.appendChild(element("p", "error", "Could not load this: " + err.message + ". "));
      panel.lastChild.appendChild(link(whyLink.href, "Open it on its own page"));
    }
  }

  list.addEventListener("click", function (event) {
    const whyLink = event.target.closest("a.why-link");
    if (!whyLink || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey) {
      return;
    }
    event.preventDefault();
    toggleWhy(whyLink);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text || controller) {
      return;
    }
    textarea.value = "";
    send(text);
  });

  textarea.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  stopButton.addEventListener("click", function () {
    if (controller) {
      controller.abort();
    }
  });
})();
