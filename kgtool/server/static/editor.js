// A small SPARQL editor: a textarea over a highlighted copy of its text, and completion of keywords,
// prefixes and the graph's terms. The highlighted copy is built from text nodes and spans only, so the
// query's text never becomes markup.
"use strict";

window.kgtoolEditor = function editor(textarea, highlight, list, { terms, prefixes }) {
  const KEYWORDS = ["SELECT", "DISTINCT", "REDUCED", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH",
    "VALUES", "BIND", "AS", "ORDER", "BY", "ASC", "DESC", "LIMIT", "OFFSET", "GROUP", "HAVING", "PREFIX", "BASE",
    "CONSTRUCT", "DESCRIBE", "ASK", "FROM", "NAMED", "NOT", "EXISTS", "IN", "COUNT", "SUM", "MIN", "MAX", "AVG",
    "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IF", "COALESCE",
    "REGEX", "CONTAINS", "STRSTARTS", "STRENDS", "LCASE", "UCASE", "YEAR", "isIRI", "isLiteral", "a", "true", "false"];
  const KEYWORD_SET = new Set(KEYWORDS.map((k) => k.toLowerCase()));
  // one pass over the text: comments, strings, IRIs, variables, prefixed names, numbers, words
  const TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z_0-9]+)|([A-Za-z][\w.-]*)?:([\w.-]*[\w-])?|(\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|([A-Za-z_]+)/g;

  function paint() {
    const text = textarea.value;
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(TOKEN)) {
      const [whole, comment, string, iri, variable, , , number, word] = match;
      let kind = comment !== undefined ? "comment" : string !== undefined ? "string" : iri !== undefined ? "iri"
        : variable !== undefined ? "variable" : number !== undefined ? "number"
        : word !== undefined ? (KEYWORD_SET.has(word.toLowerCase()) ? "keyword" : null) : "prefixed";
      if (!kind) continue;
      if (match.index > last) parts.push(document.createTextNode(text.slice(last, match.index)));
      const span = document.createElement("span");
      span.className = `tok-${kind}`;
      span.textContent = whole;
      parts.push(span);
      last = match.index + whole.length;
    }
    parts.push(document.createTextNode(text.slice(last) + "\n"));
    highlight.replaceChildren(...parts);
    highlight.scrollTop = textarea.scrollTop;
    highlight.scrollLeft = textarea.scrollLeft;
  }

  // -- completion ----------------------------------------------------------------------------------

  // the graph's terms arrive after the page loads: read them at each completion
  const fixed = [...Object.keys(prefixes).map((p) => `${p}:`), ...KEYWORDS];
  let shown = [];
  let active = 0;
  let start = 0;

  function wordBeforeCaret() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = /[A-Za-z_][\w.-]*:?[\w.-]*$/.exec(before);
    return match ? { word: match[0], at: match.index } : { word: "", at: before.length };
  }

  function close() {
    list.hidden = true;
    shown = [];
  }

  function open(force) {
    const { word, at } = wordBeforeCaret();
    if (!force && (word.length < 2 && !word.endsWith(":"))) return close();
    const lower = word.toLowerCase();
    shown = [...new Set([...fixed, ...terms])].filter((c) => c.toLowerCase().startsWith(lower) && c !== word).slice(0, 12);
    if (!shown.length) return close();
    start = at;
    active = 0;
    list.replaceChildren(...shown.map((text, i) => {
      const item = document.createElement("li");
      item.textContent = text;
      item.setAttribute("role", "option");
      item.addEventListener("mousedown", (event) => { event.preventDefault(); accept(i); });
      return item;
    }));
    mark();
    list.hidden = false;
  }

  function mark() {
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
  }

  function accept(i) {
    const text = shown[i];
    const end = textarea.selectionStart;
    textarea.setRangeText(text, start, end, "end");
    close();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  textarea.addEventListener("keydown", (event) => {
    if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      open(true);
      return;
    }
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      mark();
    } else if ((event.key === "Tab" || event.key === "Enter") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      accept(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  textarea.addEventListener("input", (event) => {
    paint();
    if (event.isTrusted) open(false); else close();
  });
  textarea.addEventListener("scroll", () => {
    highlight.scrollTop = textarea.scrollTop;
    highlight.scrollLeft = textarea.scrollLeft;
  });
  textarea.addEventListener("blur", close);
  paint();
  return { paint, close };
};
