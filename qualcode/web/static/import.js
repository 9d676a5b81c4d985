// /import: the button starts the import (POST /api/import); its progress is polled
// (GET /api/import) until it is done or failed.
"use strict";
const importCsrf = document.querySelector('meta[name="csrf"]').content;
const box = document.getElementById("import-progress");
const button = document.querySelector('[data-action="import"]');

function show(status) {
  box.dataset.state = status.state;
  const bar = box.querySelector("progress");
  bar.hidden = status.state !== "running";
  bar.max = status.total || 1;
  bar.value = status.done;
  const words = { running: box.dataset.running.replace("{done}", status.done)
                    .replace("{total}", status.total || "…"),
                  done: box.dataset.done, failed: box.dataset.failed };
  box.querySelector(".state").textContent = words[status.state] || "";
  box.querySelector(".lines").textContent = [...status.lines, status.error].filter(Boolean)
    .join("\n");
  button.disabled = status.state === "running";
}

async function poll() {
  const response = await fetch("/api/import");
  const status = await response.json();
  show(status);
  if (status.state === "running") setTimeout(poll, 500);
}

button.addEventListener("click", async () => {
  button.disabled = true;
  const response = await fetch("/api/import", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Qualcode-CSRF": importCsrf },
    body: "{}",
  });
  const answer = await response.json();
  if (!response.ok) { box.querySelector(".state").textContent = answer.error; return; }
  show(answer);
  poll();
});

poll();
