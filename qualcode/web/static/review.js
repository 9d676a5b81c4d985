// /review: keep or drop each disagreement, by click or keyboard; each decision is saved at
// once (POST /api/review). Keys: ↓/↑ (or n/p) move, g or k keeps, r or d drops, / writes the
// rationale (Enter saves it with the decision shown), o shows one disagreement at a time.
"use strict";
const counter = document.getElementById("settled");
const list = document.querySelector(".disagreements");
const items = Array.from(document.querySelectorAll(".disagreement"));
const oneAtATime = document.getElementById("one-at-a-time");
let current = items.find((item) => !item.dataset.settled) || items[0];

function show(item) {
  if (!item) return;
  if (current) current.classList.remove("current");
  current = item;
  item.classList.add("current");
  item.scrollIntoView({ block: "nearest" });
}

let saving = Promise.resolve();

function decide(item, decision) {
  // saved one after the other, in the order decided; the page moves on at once
  item.dataset.pending = decision;
  saving = saving.then(() => save(item, decision));
  return saving;
}

async function save(item, decision) {
  await saveChoice("/api/review", {
    segment_id: item.dataset.segmentId, code_id: item.dataset.codeId, decision,
    rationale: item.querySelector(".rationale").value,
    decided_by: item.querySelector(".decided-by").value,
  }, item, decision, counter, "settled");
  delete item.dataset.pending;
}

function next(from) {
  const rest = items.slice(items.indexOf(from) + 1);
  return rest.find((item) => !item.dataset.settled && !item.dataset.pending) || rest[0];
}

items.forEach((item) => {
  item.addEventListener("click", () => show(item));
  item.querySelectorAll("[data-decision]").forEach((button) =>
    button.addEventListener("click", () => decide(item, button.dataset.decision)));
  item.querySelector(".rationale").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && item.dataset.settled) {
      event.preventDefault();
      decide(item, item.dataset.settled);
    } else if (event.key === "Escape") {
      event.target.blur();
    }
  });
});

oneAtATime?.addEventListener("change", () => {
  list.classList.toggle("one", oneAtATime.checked);
  show(current);
});

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement
    || event.target instanceof HTMLSelectElement || event.target instanceof HTMLTextAreaElement;
  if (typing || event.ctrlKey || event.metaKey || event.altKey || !current) return;
  const key = event.key.toLowerCase();
  if (key === "arrowdown" || key === "n") {
    show(items[Math.min(items.indexOf(current) + 1, items.length - 1)]);
  } else if (key === "arrowup" || key === "p") {
    show(items[Math.max(items.indexOf(current) - 1, 0)]);
  } else if (key === "g" || key === "k" || key === "r" || key === "d") {
    const item = current;
    decide(item, key === "g" || key === "k" ? "keep" : "drop");
    show(next(item));
  } else if (key === "/") {
    current.querySelector(".rationale").focus();
  } else if (key === "o" && oneAtATime) {
    oneAtATime.checked = !oneAtATime.checked;
    oneAtATime.dispatchEvent(new Event("change"));
  } else {
    return;
  }
  event.preventDefault();
});

show(current);
