// qualcode's coding page: select a segment (mouse or arrow keys) or a passage, then a code
// (click, or type to filter and press Enter). Every change is sent to the server, which saves
// it at once; the page shows only what the server answered.

const workspace = document.getElementById("workspace");
const transcript = document.getElementById("transcript");
const filter = document.getElementById("filter");
const details = document.getElementById("details");
const note = document.getElementById("note");
const noteSegment = document.getElementById("note-segment");
const doneButton = document.getElementById("done");
const saveState = document.getElementById("save-state");
const errorBox = document.getElementById("error");
const csrf = document.querySelector('meta[name="csrf"]').content;
const api = `/api/code/${encodeURIComponent(workspace.dataset.coder)}/` +
  `${encodeURIComponent(workspace.dataset.transcript)}`;
const segments = [...transcript.querySelectorAll(".segment[data-codable]")];
const codeItems = [...document.querySelectorAll(".code-item")];
let notes = JSON.parse(document.getElementById("notes").textContent);
let current = null;
let passage = null;
let highlighted = null;
let chosenByKeys = false;  // Enter applies only a code chosen by typing or Tab

const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

function select(segment, scroll = true) {
  if (current) current.classList.remove("current");
  current = segment;
  if (!segment) return;
  segment.classList.add("current");
  // Keyboard moves keep the segment mid-screen, so the next lines are in view.
  if (scroll) segment.scrollIntoView({ block: "center" });
  note.disabled = false;
  note.value = notes[segment.dataset.segmentId] || "";
  noteSegment.textContent = segment.dataset.segmentId;
}

function move(step) {
  const index = current ? segments.indexOf(current) : -1;
  const next = segments[Math.min(segments.length - 1, Math.max(0, index + step))];
  if (next) select(next);
}

function visibleCodes() {
  return codeItems.filter((item) => !item.hidden);
}

function highlight(item, byKeys = false) {
  if (highlighted) highlighted.classList.remove("hl");
  highlighted = item;
  chosenByKeys = byKeys && item !== null;
  if (!item) {
    details.innerHTML = "";
    return;
  }
  item.classList.add("hl");
  item.scrollIntoView({ block: "nearest" });
  showDetails(item);
}

function showDetails(item) {
  details.innerHTML = item.querySelector(".details").innerHTML;
}

function applyFilter() {
  const words = fold(filter.value).split(/\s+/).filter(Boolean);
  for (const item of codeItems) {
    const text = fold(item.querySelector(".code").dataset.search);
    item.hidden = !words.every((word) => text.includes(word));
  }
  for (const category of document.querySelectorAll(".category")) {
    category.hidden = words.length > 0;
  }
  highlight(words.length ? visibleCodes()[0] || null : null, true);
}

function clearFilter() {
  filter.value = "";
  applyFilter();
}

// A point of the selection as an offset in the canonical text: inside a segment's text, its
// start plus the offset; elsewhere (a speaker, a chip), the nearest text inside the selection.
function offset(range, atStart) {
  const node = atStart ? range.startContainer : range.endContainer;
  const within = atStart ? range.startOffset : range.endOffset;
  const text = node.nodeType === Node.TEXT_NODE && node.parentElement.closest(".text");
  if (text) return Number(text.dataset.start) + within;
  const texts = [...transcript.querySelectorAll(".text")].filter((t) => t.firstChild &&
    range.intersectsNode(t.firstChild));
  const t = atStart ? texts[0] : texts[texts.length - 1];
  if (!t) return null;
  return Number(t.dataset.start) + (atStart ? 0 : t.textContent.length);
}

function readPassage() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!transcript.contains(range.commonAncestorContainer)) return null;
  const start = offset(range, true);
  const end = offset(range, false);
  return start !== null && end !== null && end > start ? { start, end } : null;
}

async function send(change) {
  saveState.textContent = workspace.dataset.saving;
  saveState.className = "save saving";
  try {
    const response = await fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Qualcode-CSRF": csrf },
      body: JSON.stringify(change),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    show(answer);
    errorBox.hidden = true;
    saveState.textContent = workspace.dataset.saved;
    saveState.className = "save saved";
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
    saveState.textContent = "";
    saveState.className = "save";
  }
}

function show(answer) {
  for (const segment of transcript.querySelectorAll(".segment")) {
    const codes = answer.applied[segment.dataset.segmentId] || [];
    const box = segment.querySelector(".codes");
    const now = [...box.children].map((c) => c.dataset.codeId + c.className).join("|");
    const want = codes.map(([id, , only]) => id + (only ? "chip passage" : "chip")).join("|");
    if (now !== want) {
      box.replaceChildren(...codes.map(([id, label, only]) => {
        const chip = document.createElement("span");
        chip.className = only ? "chip passage" : "chip";
        chip.dataset.codeId = id;
        chip.title = id;
        chip.textContent = label;
        return chip;
      }));
    }
    segment.classList.toggle("coded", codes.length > 0);
    const mark = segment.querySelector(".note-mark");
    mark.hidden = !answer.notes[segment.dataset.segmentId];
    mark.title = answer.notes[segment.dataset.segmentId] || "";
  }
  notes = answer.notes;
  document.getElementById("coded").textContent = Object.keys(answer.applied).length;
  doneButton.classList.toggle("is-done", answer.done);
  doneButton.setAttribute("aria-pressed", String(answer.done));
  doneButton.textContent = answer.done ? doneButton.dataset.labelDone
    : doneButton.dataset.labelTodo;
}

function useCode(codeId) {
  if (passage) {
    const { start, end } = passage;
    passage = null;
    window.getSelection().removeAllRanges();
    return send({ op: "span", start, end, code_id: codeId });
  }
  if (!current) return null;
  const has = current.querySelector(`.codes [data-code-id="${CSS.escape(codeId)}"]`);
  return send({ op: has ? "remove" : "add", segment_id: current.dataset.segmentId,
    code_id: codeId });
}

transcript.addEventListener("mouseup", () => {
  passage = readPassage();
  if (passage) {
    saveState.textContent = "";
    transcript.classList.add("has-passage");
  } else {
    transcript.classList.remove("has-passage");
  }
});

transcript.addEventListener("click", (event) => {
  if (passage) return;
  const segment = event.target.closest(".segment[data-codable]");
  if (segment) select(segment, false);
});

for (const item of codeItems) {
  const button = item.querySelector(".code");
  // Keep the passage selected while the button is pressed.
  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => {
    highlight(item);
    useCode(button.dataset.codeId);
    transcript.classList.remove("has-passage");
    filter.focus();  // so that Enter or Space does not press the code again
  });
  item.addEventListener("mouseenter", () => showDetails(item));
}

note.addEventListener("change", () => {
  if (current) send({ op: "note", segment_id: current.dataset.segmentId, note: note.value });
});

doneButton.addEventListener("click", () => {
  send({ op: "done", done: !doneButton.classList.contains("is-done") });
});

filter.addEventListener("input", applyFilter);

document.addEventListener("keydown", (event) => {
  if (event.target === note) {
    if (event.key === "Escape" || (event.key === "Enter" && event.ctrlKey)) {
      note.blur();
      filter.focus();
    }
    return;
  }
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    move(event.key === "ArrowDown" ? 1 : -1);
  } else if (event.key === "Tab" && event.target === filter) {
    event.preventDefault();
    const visible = visibleCodes();
    if (!visible.length) return;
    const index = visible.indexOf(highlighted);
    const step = event.shiftKey ? -1 : 1;
    highlight(visible[(index + step + visible.length) % visible.length], true);
  } else if (event.key === "Enter" && chosenByKeys && event.target === filter) {
    event.preventDefault();
    useCode(highlighted.dataset.codeId);
    clearFilter();
  } else if (event.key === "Escape") {
    clearFilter();
    passage = null;
    transcript.classList.remove("has-passage");
  } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey &&
             event.target !== filter && !(event.target instanceof HTMLInputElement) &&
             !(event.target instanceof HTMLButtonElement && event.key === " ")) {
    filter.focus();  // typing anywhere filters the codes
  }
});

select(segments.find((s) => !s.classList.contains("coded")) || segments[0], false);
filter.focus();
