// /convergence and /suggestions: a click on a class (data-class) or on accept/reject
// (data-decision) saves it at once (POST to the list's data-api).
"use strict";
const confirmCsrf = document.querySelector('meta[name="csrf"]').content;
const tally = document.getElementById("tally");

async function save(list, item, choice) {
  const state = item.querySelector(".saved-state");
  state.textContent = "…";
  const body = { code_id: item.dataset.codeId, [list.dataset.choice]: choice,
                 [list.dataset.who]: item.querySelector(".decided-by").value };
  if (item.dataset.segmentId) body.segment_id = item.dataset.segmentId;
  if (item.dataset.siteA) Object.assign(body, { site_a: item.dataset.siteA, site_b: item.dataset.siteB });
  const rationale = item.querySelector(".rationale");
  if (rationale) body.rationale = rationale.value;
  const response = await fetch(list.dataset.api, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Qualcode-CSRF": confirmCsrf },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) { state.textContent = answer.error; return; }
  if (!item.dataset.settled) {
    tally.dataset.done = Number(tally.dataset.done) + 1;
    tally.textContent = tally.textContent.replace(/^\d+/, tally.dataset.done);
  }
  item.dataset.settled = choice;
  item.classList.add("settled");
  item.querySelectorAll("[data-class], [data-decision]").forEach((button) =>
    button.setAttribute("aria-pressed",
      String((button.dataset.class || button.dataset.decision) === choice)));
  state.textContent = "✓";
}

document.querySelectorAll(".items").forEach((list) => {
  list.querySelectorAll(".item").forEach((item) => {
    item.querySelectorAll("[data-class], [data-decision]").forEach((button) =>
      button.addEventListener("click", () =>
        save(list, item, button.dataset.class || button.dataset.decision)));
  });
});
