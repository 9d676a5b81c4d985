// /results: a click (or Enter) on a cell of the framework matrix lists its quotes.
"use strict";
const quotesPanel = document.getElementById("quotes");

function showQuotes(cell) {
  document.querySelectorAll("[data-cell].chosen").forEach((c) => c.classList.remove("chosen"));
  cell.classList.add("chosen");
  quotesPanel.replaceChildren();
  const title = document.createElement("h3");
  title.textContent = `${cell.dataset.label} · ${cell.dataset.column}`;
  quotesPanel.appendChild(title);
  const quotes = cell.dataset.quotes.split("\n").filter((q) => q.trim());
  if (!quotes.length) {
    const none = document.createElement("p");
    none.className = "muted";
    none.textContent = quotesPanel.dataset.none;
    quotesPanel.appendChild(none);
  }
  for (const text of quotes) {
    const quote = document.createElement("blockquote");
    quote.textContent = text;
    quotesPanel.appendChild(quote);
  }
}

document.querySelectorAll("[data-cell]").forEach((cell) => {
  cell.addEventListener("click", () => showQuotes(cell));
  cell.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); showQuotes(cell); }
  });
});
