// The query page: named queries and their parameters, the SPARQL editor, and the results as a sortable,
// paginated table, a chart (numeric columns) or a graph (resources). The address holds the query
// (?query=TEXT, or ?name=NAME&PARAM=VALUE...), and opening such an address runs it. An error clears the
// previous results; downloads are made from the results on screen, in their order.
// Every text from the data or the server is set with textContent, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const root = document.body.dataset.root || "";
  const catalogue = JSON.parse($("catalogue").textContent);
  const prefixes = JSON.parse($("prefixes").textContent);
  const choices = JSON.parse($("choices").textContent);
  const editor = $("editor");
  const select = $("example");
  const KGR = prefixes.kgr;
  const KG = prefixes.kg;
  const XSD = prefixes.xsd;
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger"].map((t) => XSD + t));
  const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const GRAPH_DOWNLOADS = [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"],
                           ["JSON-LD", "application/ld+json", "jsonld"], ["RDF/XML", "application/rdf+xml", "rdf"]];
  const RESERVED = new Set(["name", "query"]);

  let chosen = null;     // the named query chosen, if any
  let boundText = null;  // its text as the server last bound it
  let shown = null;      // what is on screen: {kind, query, vars, rows} (rows: arrays of terms, in screen order)
  let sort = null;       // {column, descending}
  let page = 0;
  let graphView = null;
  const terms = [];

  const edit = window.kgtoolEditor(editor, $("highlight"), $("completions"), { terms, prefixes });

  function setText(text) {
    editor.value = text;
    edit.paint();
  }

  // -- names and links ---------------------------------------------------------------------------

  function shortName(iri) {
    for (const [prefix, namespace] of Object.entries(prefixes)) {
      if (iri.startsWith(namespace) && iri.length > namespace.length) return `${prefix}:${iri.slice(namespace.length)}`;
    }
    return `<${iri}>`;
  }

  function hrefFor(iri) {
    if (iri.startsWith(KGR) && iri.length > KGR.length) {
      return `${root}/resource/${iri.slice(KGR.length).split("/").map(encodeURIComponent).join("/")}`;
    }
    if (iri.startsWith(KG)) return `${root}/ontology#${encodeURIComponent(iri.slice(KG.length))}`;
    if (/^https?:\/\//i.test(iri)) return iri;
    return null;  // file:, javascript:, urn:... are shown, never linked
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function termNode(term) {
    if (!term) return element("span", "");
    if (term.type === "uri") {
      const href = hrefFor(term.value);
      const node = element(href ? "a" : "span", shortName(term.value));
      if (href) node.href = href;
      node.title = term.value;
      return node;
    }
    if (term.type === "bnode") return element("span", `_:${term.value}`, "bnode");
    const node = element("span", term.value, "literal");
    if (term["xml:lang"]) node.title = `@${term["xml:lang"]}`;
    else if (term.datatype) node.title = shortName(term.datatype);
    if (isNumber(term)) node.classList.add("number");
    return node;
  }

  const isNumber = (term) => term && term.type !== "uri" && NUMERIC.has(term.datatype);

  // -- named queries and their parameters --------------------------------------------------------

  for (const query of catalogue) {
    const option = element("option", `${query.title} (${query.name})`);
    option.value = query.name;
    select.append(option);
  }

  function showParams(query, values) {
    const box = $("params");
    box.replaceChildren();
    for (const param of query ? query.params : []) {
      const row = element("div", undefined, "param");
      const label = element("label", param.name);
      const input = element("input");
      input.id = `param-${param.name}`;
      input.dataset.param = param.name;
      input.value = values && param.name in values ? values[param.name] : param.default || "";
      input.placeholder = param.optional ? "(optional)" : "";
      input.autocomplete = "off";
      const options = choices[`${query.name}/${param.name}`];
      if (options) {
        const list = element("datalist");
        list.id = `choices-${param.name}`;
        for (const text of options) {
          const option = element("option");
          option.value = text;
          list.append(option);
        }
        input.setAttribute("list", list.id);
        row.append(list);
      }
      label.htmlFor = input.id;
      row.append(label, input, element("span", param.description, "hint"));
      box.append(row);
    }
    $("example-description").textContent = query ? query.description : "";
    $("edited").hidden = true;
  }

  function paramValues() {
    const values = {};
    for (const input of document.querySelectorAll("#params input")) values[input.dataset.param] = input.value.trim();
    return values;
  }

  async function boundQuery(query) {
    const values = new URLSearchParams();
    for (const [name, value] of Object.entries(paramValues())) if (value) values.set(name, value);
    const response = await fetch(`${root}/queries/${encodeURIComponent(query.name)}.rq?${values}`);
    if (!response.ok) throw new Error((await response.text()).trim());
    return response.text();
  }

  async function choose(name, values) {
    chosen = catalogue.find((query) => query.name === name) || null;
    select.value = chosen ? chosen.name : "";
    showParams(chosen, values);
    hideError();
    if (!chosen) {
      boundText = null;
      return;
    }
    try {
      boundText = await boundQuery(chosen);
      setText(boundText);
    } catch (error) {
      showError(error.message);
    }
  }

  select.addEventListener("change", () => choose(select.value));
  editor.addEventListener("input", () => {
    $("edited").hidden = !chosen || editor.value === boundText;
  });

  // -- the address: what runs, so that a link reproduces it ---------------------------------------

  function stateAddress() {
    const state = new URLSearchParams();
    if (chosen && editor.value === boundText) {
      state.set("name", chosen.name);
      for (const [name, value] of Object.entries(paramValues())) state.set(name, value);
    } else {
      state.set("query", editor.value);
    }
    return `${window.location.pathname}?${state}`;
  }

  // -- running -----------------------------------------------------------------------------------

  function send(text, accept) {
    return fetch(`${root}/sparql`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query: text }),
    });
  }

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = false;
  }

  function hideError() {
    $("error").hidden = true;
  }

  function clearResults() {
    shown = null;
    $("results").hidden = true;
    $("table-view").replaceChildren();
    $("downloads").replaceChildren();
    $("chart-view").replaceChildren();
    clearGraph();
  }

  async function run() {
    hideError();
    $("run").disabled = true;
    $("status").textContent = "running…";
    try {
      if (chosen && editor.value === boundText) {
        boundText = await boundQuery(chosen);
        setText(boundText);
      }
      window.history.replaceState(null, "", stateAddress());
      const text = editor.value;
      const started = performance.now();
      const response = await send(text, ACCEPT);
      const type = response.headers.get("content-type") || "";
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${(await response.text()).trim()}`);
      let count;
      if (type.startsWith("application/sparql-results+json")) {
        const answer = await response.json();
        count = "boolean" in answer ? showBoolean(text, answer.boolean) : showSolutions(text, answer);
      } else {
        count = showTriples(text, parseNTriples(await response.text()));
      }
      const elapsed = Math.round(performance.now() - started);
      $("status").textContent = `${count} in ${elapsed} ms`;
    } catch (error) {
      $("status").textContent = "";
      clearResults();
      showError(error.message);
    } finally {
      $("run").disabled = false;
    }
  }

  $("run").addEventListener("click", run);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  // -- results -----------------------------------------------------------------------------------

  function plural(n, word) {
    return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
  }

  function present(result) {
    shown = result;
    sort = null;
    page = 0;
    $("results").hidden = false;
    showDownloads();
    renderTable();
    setupChart();
    showTab(document.querySelector(".tabs [aria-selected=true]").dataset.view);
  }

  function showBoolean(query, value) {
    present({ kind: "boolean", query, vars: [], rows: [], value });
    return `answer: ${value}`;
  }

  function showSolutions(query, results) {
    const vars = results.head.vars;
    present({ kind: "solutions", query, vars, rows: results.results.bindings.map((b) => vars.map((v) => b[v])) });
    return plural(shown.rows.length, "row");
  }

  function showTriples(query, triples) {
    present({ kind: "graph", query, vars: ["subject", "predicate", "object"], rows: triples });
    return plural(triples.length, "triple");
  }

  // -- the table: sortable, paginated ------------------------------------------------------------

  function compareTerms(a, b) {
    if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
    if (isNumber(a) && isNumber(b)) return Number(a.value) - Number(b.value);
    return a.value.localeCompare(b.value, "en", { numeric: true });
  }

  function sortBy(column) {
    sort = sort && sort.column === column ? { column, descending: !sort.descending } : { column, descending: false };
    const sign = sort.descending ? -1 : 1;
    // a stable sort on the column, keeping the query's order among equals
    shown.rows = shown.rows.map((row, i) => [row, i])
      .sort((x, y) => sign * compareTerms(x[0][column], y[0][column]) || x[1] - y[1]).map((pair) => pair[0]);
    page = 0;
    renderTable();
  }

  function pageSize() {
    return Number($("page-size").value);
  }

  function renderTable() {
    const view = $("table-view");
    if (shown.kind === "boolean") {
      view.replaceChildren(element("p", shown.value ? "true" : "false", "boolean"));
      $("pager").hidden = true;
      return;
    }
    const size = pageSize();
    const pages = Math.max(1, Math.ceil(shown.rows.length / size));
    page = Math.min(page, pages - 1);
    const table = element("table", undefined, "results");
    const head = table.createTHead().insertRow();
    shown.vars.forEach((name, column) => {
      const cell = element("th");
      cell.scope = "col";
      const button = element("button", name, "sort");
      button.type = "button";
      button.addEventListener("click", () => sortBy(column));
      if (sort && sort.column === column) {
        cell.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
        button.textContent = `${name} ${sort.descending ? "▼" : "▲"}`;
      }
      cell.append(button);
      head.append(cell);
    });
    const body = table.createTBody();
    for (const cells of shown.rows.slice(page * size, (page + 1) * size)) {
      const row = body.insertRow();
      for (const term of cells) row.insertCell().append(termNode(term));
    }
    view.replaceChildren(table);
    view.scrollTop = 0;
    const first = shown.rows.length ? page * size + 1 : 0;
    const last = Math.min((page + 1) * size, shown.rows.length);
    $("page-info").textContent = `rows ${first.toLocaleString("en")}–${last.toLocaleString("en")} of ${shown.rows.length.toLocaleString("en")} · page ${page + 1} of ${pages}`;
    $("pager").hidden = shown.rows.length <= 25;
    $("first-page").disabled = $("previous-page").disabled = page === 0;
    $("last-page").disabled = $("next-page").disabled = page >= pages - 1;
  }

  function turn(to) {
    page = to;
    renderTable();
  }
  $("first-page").addEventListener("click", () => turn(0));
  $("previous-page").addEventListener("click", () => turn(Math.max(0, page - 1)));
  $("next-page").addEventListener("click", () => turn(page + 1));
  $("last-page").addEventListener("click", () => turn(Math.ceil(shown.rows.length / pageSize()) - 1));
  $("page-size").addEventListener("change", () => turn(0));

  // -- tabs --------------------------------------------------------------------------------------

  function showTab(id) {
    for (const tab of document.querySelectorAll(".tabs [role=tab]")) {
      const on = tab.dataset.view === id;
      tab.setAttribute("aria-selected", String(on));
      $(tab.dataset.view).hidden = !on;
    }
    if (id === "chart-panel") drawChart();
    if (id === "graph-panel") showGraph();
  }
  for (const tab of document.querySelectorAll(".tabs [role=tab]")) tab.addEventListener("click", () => showTab(tab.dataset.view));

  // -- the chart of numeric columns (Vega-Lite, drawn by vega-embed with the expression interpreter) --

  function fill(selectElement, names, chosenName, empty) {
    selectElement.replaceChildren();
    if (empty) selectElement.append(element("option", "(none)"));
    for (const name of names) {
      const option = element("option", name);
      option.value = name;
      selectElement.append(option);
    }
    if (empty) selectElement.firstChild.value = "";
    selectElement.value = chosenName || (empty ? "" : names[0] || "");
  }

  function columnKinds() {
    return shown.vars.map((name, column) => {
      const values = shown.rows.map((row) => row[column]).filter(Boolean);
      return { name, column, numeric: values.length > 0 && values.every(isNumber) };
    });
  }

  function setupChart() {
    if (shown.kind !== "solutions") {
      $("tab-chart").hidden = true;
      return;
    }
    const kinds = columnKinds();
    const numeric = kinds.filter((k) => k.numeric).map((k) => k.name);
    const labels = kinds.filter((k) => !k.numeric).map((k) => k.name);
    const distinct = (name) => new Set(shown.rows.map((row) => cellValue(row[shown.vars.indexOf(name)]))).size;
    // x: a label column, of what the rows are about (a model, an entity) first, else the most varied
    const named = labels.filter((n) => /label$/i.test(n));
    const x = named.find((n) => /model|entity|name/i.test(n))
      || [...named].sort((a, b) => distinct(b) - distinct(a))[0] || labels[0] || numeric[0];
    $("tab-chart").hidden = false;
    $("chart-none").hidden = numeric.length > 0;
    fill($("chart-x"), [...labels, ...numeric], x);
    fill($("chart-y"), numeric, numeric.find((n) => /^(value|score|count|n)$/i.test(n)) || numeric.find((n) => n !== x));
    fill($("chart-colour"), labels, labels.find((n) => /setting.*label/i.test(n)) || labels.find((n) => /setting/i.test(n)), true);
  }

  function cellValue(term) {
    if (!term) return null;
    if (isNumber(term)) return Number(term.value);
    return term.type === "uri" ? shortName(term.value) : term.value;
  }

  let chartToken = 0;
  function drawChart() {
    const box = $("chart-view");
    const [x, y, colour, mark] = [$("chart-x").value, $("chart-y").value, $("chart-colour").value, $("chart-mark").value];
    box.replaceChildren();
    if (!shown || shown.kind !== "solutions" || !y) return;
    const index = Object.fromEntries(shown.vars.map((name, i) => [name, i]));
    const values = shown.rows.slice(0, 5000).map((row) => Object.fromEntries(shown.vars.map((name, i) => [name, cellValue(row[i])])));
    const numericX = columnKinds()[index[x]].numeric;
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 380, data: { values }, mark: { type: mark, tooltip: true, point: mark === "line" },
      encoding: {
        x: { field: x, type: numericX ? "quantitative" : "nominal", sort: numericX ? undefined : null },
        y: { field: y, type: "quantitative" },
      },
    };
    if (colour) {
      spec.encoding.color = { field: colour, type: "nominal" };
      if (mark === "bar" && !numericX) spec.encoding.xOffset = { field: colour };  // grouped, not stacked
    }
    const token = ++chartToken;
    window.kgtoolEmbed(box, spec)
      .then(() => { if (token === chartToken) box.dataset.rendered = "true"; })
      .catch((error) => { box.textContent = `The chart could not be drawn: ${error.message}`; });
  }
  for (const id of ["chart-x", "chart-y", "chart-colour", "chart-mark"]) $(id).addEventListener("change", drawChart);

  // -- the graph of the results: the server projects them as `kgtool viz --query` does (records folded
  // into the entities, scores on the result links), and the network script of `kgtool viz` draws it ----

  function clearGraph() {
    if (graphView) graphView.destroy();
    graphView = null;
    const rootElement = $("graph-root");
    for (const role of ["legend", "matches", "links", "sources"]) rootElement.querySelector(`[data-role=${role}]`).replaceChildren();
    rootElement.dataset.nodes = "0";
    rootElement.dataset.edges = "0";
  }

  let drawnFor = null;
  async function showGraph() {
    if (!shown || shown.kind === "boolean" || drawnFor === shown) return;
    const showing = shown;
    drawnFor = showing;
    clearGraph();
    try {
      const response = await fetch(`${root}/graph/results`, {
        method: "POST",
        headers: { "Content-Type": "application/sparql-query" },
        body: showing.query,
      });
      if (!response.ok) throw new Error(`${response.status}: ${(await response.text()).trim()}`);
      const data = await response.json();
      if (shown !== showing) return;  // other results came meanwhile
      if (data.nodes.length) graphView = window.kgtoolNetwork($("graph-root"), data);
    } catch (error) {
      drawnFor = null;
      showError(error.message);
    }
  }

  // N-Triples as Oxigraph writes them: one triple per line, terms in the SPARQL JSON shape
  const TERM = /\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;

  function unescape(text) {
    return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_, u4, u8, c) => {
      if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" }[c] || c;
    });
  }

  function parseNTriples(text) {
    const triples = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      const parts = [];
      TERM.lastIndex = 0;
      for (let i = 0; i < 3; i += 1) {
        const match = TERM.exec(line);
        if (!match) throw new Error(`cannot read the line ${line}`);
        if (match[1] !== undefined) parts.push({ type: "uri", value: unescape(match[1]) });
        else if (match[2] !== undefined) parts.push({ type: "bnode", value: match[2] });
        else {
          const term = { type: "literal", value: unescape(match[3]) };
          if (match[4]) term["xml:lang"] = match[4];
          if (match[5]) term.datatype = match[5];
          parts.push(term);
        }
      }
      triples.push(parts);
    }
    return triples;
  }

  // -- downloads: made from what is on screen ------------------------------------------------------

  function csvCell(term, separator) {
    if (!term) return "";
    const text = term.type === "bnode" ? `_:${term.value}` : term.value;
    if (separator === "\t") {
      // TSV holds terms in their SPARQL syntax
      if (term.type === "uri") return `<${term.value}>`;
      if (term.type === "bnode") return text;
      const escaped = `"${term.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
      if (term["xml:lang"]) return `${escaped}@${term["xml:lang"]}`;
      if (isNumber(term) && term.datatype === `${XSD}integer`) return term.value;
      return term.datatype ? `${escaped}^^<${term.datatype}>` : escaped;
    }
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function solutionsAs(format) {
    const { vars, rows } = shown;
    if (format === "srj") {
      const bindings = rows.map((row) => Object.fromEntries(vars.map((v, i) => [v, row[i]]).filter(([, t]) => t)));
      return [JSON.stringify({ head: { vars }, results: { bindings } }), "application/sparql-results+json"];
    }
    if (format === "csv" || format === "tsv") {
      const separator = format === "csv" ? "," : "\t";
      const head = format === "csv" ? vars.join(",") : vars.map((v) => `?${v}`).join("\t");
      const lines = [head, ...rows.map((row) => row.map((t) => csvCell(t, separator)).join(separator))];
      return [`${lines.join("\r\n")}\r\n`, format === "csv" ? "text/csv" : "text/tab-separated-values"];
    }
    // SPARQL results XML, built as a document so that every value is escaped by the serializer
    const NS = "http://www.w3.org/2005/sparql-results#";
    const doc = document.implementation.createDocument(NS, "sparql", null);
    const head = doc.createElementNS(NS, "head");
    for (const v of vars) {
      const variable = doc.createElementNS(NS, "variable");
      variable.setAttribute("name", v);
      head.append(variable);
    }
    const results = doc.createElementNS(NS, "results");
    for (const row of rows) {
      const result = doc.createElementNS(NS, "result");
      vars.forEach((v, i) => {
        const term = row[i];
        if (!term) return;
        const binding = doc.createElementNS(NS, "binding");
        binding.setAttribute("name", v);
        const value = doc.createElementNS(NS, term.type === "uri" ? "uri" : term.type === "bnode" ? "bnode" : "literal");
        value.textContent = term.value;
        if (term["xml:lang"]) value.setAttributeNS("http://www.w3.org/XML/1998/namespace", "xml:lang", term["xml:lang"]);
        else if (term.datatype) value.setAttribute("datatype", term.datatype);
        binding.append(value);
        result.append(binding);
      });
      results.append(result);
    }
    doc.documentElement.append(head, results);
    return [`<?xml version="1.0"?>\n${new XMLSerializer().serializeToString(doc)}`, "application/sparql-results+xml"];
  }

  function showDownloads() {
    const box = $("downloads");
    box.replaceChildren(document.createTextNode("Download: "));
    const offers = shown.kind === "solutions"
      ? [["JSON", "srj"], ["XML", "srx"], ["CSV", "csv"], ["TSV", "tsv"]]
      : shown.kind === "graph" ? GRAPH_DOWNLOADS.map(([name, , extension]) => [name, extension]) : [];
    for (const [name, extension] of offers) {
      const button = element("button", name);
      button.type = "button";
      button.dataset.format = extension;
      button.addEventListener("click", () => download(extension));
      box.append(button);
    }
    box.hidden = !offers.length;
  }

  async function download(extension) {
    hideError();
    try {
      let blob;
      if (shown.kind === "solutions") {
        const [text, type] = solutionsAs(extension);
        blob = new Blob([text], { type });
      } else {
        // a graph is a set of triples: the same query, in the format asked for
        const type = GRAPH_DOWNLOADS.find(([, , e]) => e === extension)[1];
        const response = await send(shown.query, type);
        if (!response.ok) throw new Error(`${response.status}: ${(await response.text()).trim()}`);
        blob = await response.blob();
      }
      const url = URL.createObjectURL(blob);
      const link = element("a");
      link.href = url;
      link.download = `results.${extension}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      showError(error.message);
    }
  }

  // -- start: the query in the address runs; else the leaderboard example, ready to run -------------

  async function start() {
    const address = new URLSearchParams(window.location.search);
    fetch(`${root}/search/terms`).then((r) => (r.ok ? r.json() : [])).then((found) => terms.push(...found)).catch(() => {});
    if (address.has("name") && catalogue.some((q) => q.name === address.get("name"))) {
      const values = {};
      for (const [key, value] of address) if (!RESERVED.has(key)) values[key] = value;
      await choose(address.get("name"), values);
      if (boundText !== null) await run();
    } else if (address.has("query")) {
      setText(address.get("query"));
      await run();
    } else if (catalogue.length) {
      const first = catalogue.find((q) => q.name === "leaderboard") || catalogue[0];
      await choose(first.name);
    }
    document.body.dataset.ready = "true";
  }
  start();
})();
