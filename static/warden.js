// Warden's own script: live audit progress, and dialogs (the e-signature) opened from links.
// Every page works without it: a link opens the same form on a page of its own.
"use strict";

function auditProgress(element) {
  const url = element.dataset.pollUrl;
  const bar = element.querySelector("progress");
  const label = element.querySelector("[data-progress-label]");
  const checks = element.querySelector("[data-progress-checks]");
  async function poll() {
    let body;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      label.textContent = `Could not read the progress (${error.message}); retrying…`;
      setTimeout(poll, 3000);
      return;
    }
    const progress = body.progress || {};
    let share = 0, text = "Queued: waiting for a worker";
    if (body.status === "running") {
      const total = progress.chunks_total || body.chunks_total || 0;
      const done = progress.chunks_done || body.chunks_done || 0;
      if (progress.stage === "checks") {
        share = 0.8 + 0.2 * (progress.checks_done || 0) / (progress.checks_total || 1);
        text = `Checks: ${progress.checks_done} of ${progress.checks_total} judged`;
      } else if (total) {
        share = 0.8 * done / total;
        text = `Statistics: ${done} of ${total} chunks`;
      } else {
        text = "Planning the run";
      }
    }
    if (body.finished) {
      bar.value = 100;
      label.textContent = body.status === "completed" ? "Completed: loading the results" : "The audit errored";
      window.location.reload();
      return;
    }
    bar.value = Math.round(share * 100);
    bar.textContent = `${bar.value}%`;
    label.textContent = text;
    if (checks && progress.checks) {
      checks.replaceChildren(...Object.entries(progress.checks).map(([id, status]) => {
        const item = document.createElement("li");
        item.className = `badge ${status}`;
        item.textContent = `${id}: ${status}`;
        return item;
      }));
    }
    setTimeout(poll, 700);
  }
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-poll-url]").forEach(auditProgress);
  document.querySelectorAll("[data-open-dialog]").forEach((link) => {
    const dialog = document.getElementById(link.dataset.openDialog);
    if (!dialog || typeof dialog.showModal !== "function") return;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
      const first = dialog.querySelector("select, input, textarea");
      if (first) first.focus();
    });
  });
  document.querySelectorAll("dialog [data-close-dialog]").forEach((button) => {
    button.addEventListener("click", () => button.closest("dialog").close());
  });
});
