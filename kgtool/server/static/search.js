// The search box of the home page and the resource index: suggestions from /search as one types, the
// arrow keys move through them, Enter opens the one chosen (or the first). Labels are set as text.
"use strict";

(() => {
  const input = document.getElementById("site-search");
  const list = document.getElementById("suggestions");
  const root = document.body.dataset.root || "";
  let found = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  const safe = (href) => (/^(https?:\/\/|\/(?!\/))/i.test(href || "") ? href : null);

  function render() {
    list.replaceChildren(...found.map((item, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === active));
      const link = document.createElement(safe(item.href) ? "a" : "span");
      if (safe(item.href)) link.href = safe(item.href);
      link.textContent = item.label;
      const kind = document.createElement("span");
      kind.className = "hint";
      kind.textContent = item.classes.join(", ");
      link.append(kind);
      li.append(link);
      return li;
    }));
    list.hidden = !found.length;
  }

  async function suggest() {
    const text = input.value.trim();
    const mine = ++asked;
    if (!text) {
      found = [];
      render();
      return;
    }
    const response = await fetch(`${root}/search?q=${encodeURIComponent(text)}`);
    if (mine !== asked || !response.ok) return;
    found = await response.json();
    active = -1;
    render();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 80);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!found.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : found.length - 1) + (active < 0 && event.key === "ArrowUp" ? 1 : 0)) % found.length;
      render();
    } else if (event.key === "Enter") {
      const target = found[Math.max(active, 0)];
      if (target && safe(target.href)) {
        event.preventDefault();
        window.location.assign(safe(target.href));
      }
    } else if (event.key === "Escape") {
      found = [];
      render();
    }
  });
})();
