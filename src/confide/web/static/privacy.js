// Follows exports being prepared on the privacy page: polls GET /api/exports/{id} and updates
// the row in place (status, progress, the Download button once ready). Without this file the
// page shows a "Refresh" link instead. Loaded from this server only (CSP script-src 'self');
// talks only to this server's JSON API, with the session cookie (GETs need no CSRF token).
"use strict";

(function () {
  const table = document.getElementById("exports");
  if (!table || !window.fetch) {
    return;
  }
  const WORDS = {
    queued: "Waiting to start",
    running: "Being prepared",
    ready: "Ready to download",
    downloaded: "Downloaded (the archive is deleted)",
    expired: "Expired (the archive is deleted)",
    failed: "Failed",
  };
  const BUSY = ["queued", "running"];
  const POLL_MS = 1500;

  function when(iso) {
    // The same form as the pages' "when" filter: 2026-11-23 19:20 UTC.
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return (
      d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC"
    );
  }

  function size(n) {
    let value = n;
    for (const unit of ["bytes", "KB", "MB", "GB"]) {
      if (value < 1000 || unit === "GB") {
        return unit === "bytes" ? Math.floor(value) + " bytes" : value.toFixed(1) + " " + unit;
      }
      value /= 1000;
    }
    return n + " bytes";
  }

  function update(row, job) {
    const previous = row.dataset.status;
    row.dataset.status = job.status;
    const status = row.querySelector(".export-status");
    const text = (WORDS[job.status] || job.status) + (job.error ? " (" + job.error + ")" : "");
    if (previous !== job.status) {
      status.textContent = text; // announced once per change (aria-live)
    }
    const progress = row.querySelector(".export-progress");
    if (job.total > 0) {
      progress.max = job.total;
      progress.value = job.done;
    } else {
      progress.max = 1;
      progress.value = job.status === "ready" || job.status === "downloaded" ? 1 : 0;
    }
    row.querySelector(".export-count").textContent =
      job.done + " of " + job.total + " items" + (job.size_bytes ? ", " + size(job.size_bytes) : "");
    const expiry = row.querySelector(".export-expiry");
    if (job.status === "ready" && job.expires_at) {
      expiry.textContent = "Link valid until " + when(job.expires_at);
    }
    row.querySelector(".export-download").hidden = job.status !== "ready";
  }

  function refreshHint() {
    const hint = document.getElementById("export-refresh");
    const busy = table.querySelectorAll("tr.export-row[data-status=queued], tr.export-row[data-status=running]");
    if (hint) {
      hint.hidden = busy.length === 0;
    }
  }

  async function follow(row) {
    const url = "/api/exports/" + encodeURIComponent(row.dataset.exportId);
    while (BUSY.includes(row.dataset.status)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      let response;
      try {
        response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      } catch (e) {
        continue; // offline for a moment: try again
      }
      if (!response.ok) {
        return; // signed out or discarded: the Refresh link still works
      }
      update(row, await response.json());
      refreshHint();
    }
  }

  for (const row of table.querySelectorAll("tr.export-row")) {
    if (BUSY.includes(row.dataset.status)) {
      follow(row);
    }
  }
})();
