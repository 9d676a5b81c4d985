// /review: a click on keep or drop saves the decision at once (POST /api/review).
"use strict";
const reviewCsrf = document.querySelector('meta[name="csrf"]').content;
const counter = document.getElementById("settled");

async function decide(item, decision) {
  const state = item.querySelector(".saved-state");
  state.textContent = "…";
  const response = await fetch("/api/review", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Qualcode-CSRF": reviewCsrf },
    body: JSON.stringify({
      segment_id: item.dataset.segmentId, code_id: item.dataset.codeId, decision,
      rationale: item.querySelector(".rationale").value,
      decided_by: item.querySelector(".decided-by").value,
    }),
  });
  const answer = await response.json();
  if (!response.ok) { state.textContent = answer.error; return; }
  if (!item.dataset.settled) {
    counter.dataset.settled = Number(counter.dataset.settled) + 1;
    counter.textContent = counter.textContent.replace(/^\d+/, counter.dataset.settled);
  }
  item.dataset.settled = decision;
  item.classList.add("settled");
  item.querySelectorAll("[data-decision]").forEach((button) =>
    button.setAttribute("aria-pressed", String(button.dataset.decision === decision)));
  state.textContent = "✓";
}

document.querySelectorAll(".disagreement").forEach((item) => {
  item.querySelectorAll("[data-decision]").forEach((button) =>
    button.addEventListener("click", () => decide(item, button.dataset.decision)));
});
