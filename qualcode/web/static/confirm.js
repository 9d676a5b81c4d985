// /convergence and /suggestions: a click on a class (data-class) or on accept/reject
// (data-decision) saves it at once (POST to the list's data-api).
"use strict";
const tally = document.getElementById("tally");

async function save(list, item, choice) {
  const body = { code_id: item.dataset.codeId, [list.dataset.choice]: choice,
                 [list.dataset.who]: item.querySelector(".decided-by").value };
  if (item.dataset.segmentId) body.segment_id = item.dataset.segmentId;
  if (item.dataset.siteA) Object.assign(body, { site_a: item.dataset.siteA, site_b: item.dataset.siteB });
  const rationale = item.querySelector(".rationale");
  if (rationale) body.rationale = rationale.value;
  await saveChoice(list.dataset.api, body, item, choice, tally, "done");
}

document.querySelectorAll(".items").forEach((list) => {
  list.querySelectorAll(".item").forEach((item) => {
    item.querySelectorAll("[data-class], [data-decision]").forEach((button) =>
      button.addEventListener("click", () =>
        save(list, item, button.dataset.class || button.dataset.decision)));
  });
});
