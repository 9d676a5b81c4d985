// What /review, /convergence and /suggestions share: a choice saved at once (POST, JSON, the
// page's CSRF token), then shown as settled, with its buttons pressed and the page's counter
// (its data-<count> attribute) moved on.
"use strict";
const choiceCsrf = document.querySelector('meta[name="csrf"]').content;

async function saveChoice(url, body, item, choice, counter, count) {
  const state = item.querySelector(".saved-state");
  state.textContent = "…";
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Qualcode-CSRF": choiceCsrf },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    state.textContent = answer.error;
    state.classList.add("problem");
    return false;
  }
  state.classList.remove("problem");
  if (!item.dataset.settled) {
    counter.dataset[count] = Number(counter.dataset[count]) + 1;
    counter.textContent = counter.textContent.replace(/^\d+/, counter.dataset[count]);
  }
  item.dataset.settled = choice;
  item.classList.add("settled");
  item.querySelectorAll("[data-class], [data-decision]").forEach((button) =>
    button.setAttribute("aria-pressed",
      String((button.dataset.class || button.dataset.decision) === choice)));
  state.textContent = "✓";
  return true;
}
