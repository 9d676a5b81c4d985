// /run: the button starts `qualcode run` (POST /api/run); the stages, then the audit's
// verdict or the error line, are polled (GET /api/run) until the run ends.
"use strict";
const runCsrf = document.querySelector('meta[name="csrf"]').content;
const runButton = document.querySelector('[data-action="run"]');
const runState = document.getElementById("run-state");
const stageList = document.getElementById("run-stages");
const stageNames = JSON.parse(document.getElementById("stage-names").textContent);

function stageItem(name) {
  let item = [...stageList.children].find((li) => li.dataset.stage === name);
  if (!item) {
    item = document.createElement("li");
    item.dataset.stage = name;
    item.innerHTML = '<span class="name"></span> <span class="how"></span>';
    item.querySelector(".name").textContent = stageNames[name] || name;
    stageList.appendChild(item);
  }
  return item;
}

function showText(id, text) {
  const element = document.getElementById(id);
  element.textContent = text || "";
  element.hidden = !text;
}

function showRun(status) {
  runState.dataset.state = status.state;
  runState.textContent = runState.dataset[status.state] || status.state;
  for (const stage of status.stages) {
    const item = stageItem(stage.stage);
    item.dataset.state = stage.state;
    const word = stageList.dataset[stage.state] || stage.state;  // a state not known: as told
    const seconds = stage.seconds === null ? "" : ` · ${stage.seconds.toFixed(1)} s`;
    item.querySelector(".how").textContent = word + seconds;
  }
  showText("run-error", status.error);
  showText("run-lines", status.lines.join("\n"));
  showText("run-verdict", status.verdict);
  document.getElementById("run-next").hidden = status.state !== "done";
  runButton.disabled = status.state === "running";
}

async function pollRun() {
  const response = await fetch("/api/run");
  const status = await response.json();
  showRun(status);
  if (status.state === "running") setTimeout(pollRun, 250);
}

runButton.addEventListener("click", async () => {
  runButton.disabled = true;
  stageList.replaceChildren();
  for (const id of ["run-error", "run-lines", "run-verdict"]) showText(id, "");  // the last run's
  document.getElementById("run-next").hidden = true;
  const response = await fetch("/api/run", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Qualcode-CSRF": runCsrf },
    body: "{}",
  });
  const answer = await response.json();
  if (!response.ok) {  // 409: a run is going on already (started elsewhere)
    showText("run-error", answer.error);
    if (response.status === 409) setTimeout(pollRun, 1500);
    return;
  }
  pollRun();
});

pollRun();
