// Streams a companion's reply into the chat page. Without this file the send form still works
// (a plain POST that waits for the whole reply). Loaded from this server only (CSP script-src
// 'self'); talks only to this server's JSON API, with the page's CSRF token.
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
    item.dataset.messageId = message.id;
    item.querySelector(".message-text").textContent = message.content;
    const del = cloneTemplate("delete-template");
    del.action = "/messages/" + encodeURIComponent(message.id) + "/delete";
    item.appendChild(del);
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

  async function errorMessage(response) {
    try {
      const body = await response.json();
      return body.error.message;
    } catch (e) {
      return "the message could not be sent (" + response.status + ")";
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
      finishMessage(state.userItem, event.data);
      state.replyItem = addMessage("companion", "");
      state.replyText = "";
      status.textContent = "The companion is replying…";
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

  async function send(text) {
    controller = new AbortController();
    const state = { userItem: addMessage("user", text), replyItem: null, replyText: "", done: false };
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
  }

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
