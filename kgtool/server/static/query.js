// The query page: named queries as examples, their parameters, a SPARQL editor, results as a table, downloads,
// and a graph of the results. Every text from the data or the server is set with textContent, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const root = document.body.dataset.root || "";
  const catalogue = JSON.parse($("catalogue").textContent);
  const prefixes = JSON.parse($("prefixes").textContent);
  const editor = $("editor");
  const select = $("example");
  const KGR = prefixes.kgr;
  const KG = prefixes.kg;
  const GRAPH_LIMIT = 300;
  const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const DOWNLOADS = {
    solutions: [["JSON", "application/sparql-results+json", "srj"], ["XML", "application/sparql-results+xml", "srx"],
                ["CSV", "text/csv", "csv"], ["TSV", "text/tab-separated-values", "tsv"]],
    graph: [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"],
            ["JSON-LD", "application/ld+json", "jsonld"], ["RDF/XML", "application/rdf+xml", "rdf"]],
  };

  let chosen = null;     // the named query chosen, if any
  let boundText = null;  // its text as the server last bound it
  let lastQuery = null;  // the text of the last query run, for downloads

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
    return node;
  }

  // -- named queries and their parameters --------------------------------------------------------

  for (const query of catalogue) {
    const option = element("option", `${query.title} (${query.name})`);
    option.value = query.name;
    select.append(option);
  }

  function showParams(query) {
    const box = $("params");
    box.replaceChildren();
    for (const param of query ? query.params : []) {
      const row = element("div", undefined, "param");
      const label = element("label", param.name);
      const input = element("input");
      input.id = `param-${param.name}`;
      input.dataset.param = param.name;
      input.value = param.default || "";
      input.placeholder = param.optional ? "(optional)" : "";
      label.htmlFor = input.id;
      row.append(label, input, element("span", param.description, "hint"));
      box.append(row);
    }
    $("example-description").textContent = query ? query.description : "";
    $("edited").hidden = true;
  }

  async function boundQuery(query) {
    const values = new URLSearchParams();
    for (const input of document.querySelectorAll("#params input")) {
      if (input.value.trim()) values.set(input.dataset.param, input.value.trim());
    }
    const response = await fetch(`${root}/queries/${encodeURIComponent(query.name)}.rq?${values}`);
    if (!response.ok) throw new Error((await response.text()).trim());
    return response.text();
  }

  async function choose(name) {
    chosen = catalogue.find((query) => query.name === name) || null;
    showParams(chosen);
    hideError();
    if (!chosen) {
      boundText = null;
      return;
    }
    try {
      boundText = await boundQuery(chosen);
      editor.value = boundText;
    } catch (error) {
      showError(error.message);
    }
  }

  select.addEventListener("change", () => choose(select.value));
  editor.addEventListener("input", () => {
    $("edited").hidden = !chosen || editor.value === boundText;
  });

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

  async function run() {
    hideError();
    $("run").disabled = true;
    $("status").textContent = "running…";
    try {
      if (chosen && editor.value === boundText) {
        boundText = await boundQuery(chosen);
        editor.value = boundText;
      }
      const started = performance.now();
      const response = await send(editor.value, ACCEPT);
      const type = response.headers.get("content-type") || "";
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${(await response.text()).trim()}`);
      lastQuery = editor.value;
      let count;
      if (type.startsWith("application/sparql-results+json")) {
        const document_ = await response.json();
        count = "boolean" in document_ ? showBoolean(document_.boolean) : showSolutions(document_);
        showDownloads("boolean" in document_ ? null : "solutions");
      } else {
        count = showTriples(parseNTriples(await response.text()));
        showDownloads("graph");
      }
      const elapsed = Math.round(performance.now() - started);
      $("status").textContent = `${count} in ${elapsed} ms`;
    } catch (error) {
      $("status").textContent = "";
      showError(error.message);
    } finally {
      $("run").disabled = false;
    }
  }

  $("run").addEventListener("click", run);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run();
  });

  // -- results -----------------------------------------------------------------------------------

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  function table(headings, rows) {
    const node = element("table", undefined, "results");
    const head = node.createTHead().insertRow();
    for (const heading of headings) {
      const cell = element("th", heading);
      cell.scope = "col";
      head.append(cell);
    }
    const body = node.createTBody();
    for (const cells of rows) {
      const row = body.insertRow();
      for (const cell of cells) row.insertCell().append(cell);
    }
    return node;
  }

  function showBoolean(value) {
    $("table-view").replaceChildren(element("p", value ? "true" : "false", "boolean"));
    drawGraph([], []);
    $("results").hidden = false;
    return `answer: ${value}`;
  }

  function showSolutions(results) {
    const vars = results.head.vars;
    const bindings = results.results.bindings;
    $("table-view").replaceChildren(table(vars, bindings.map((b) => vars.map((v) => termNode(b[v])))));
    const nodes = new Map();
    const edges = new Map();
    const labelled = new Set(vars.filter((v) => v.endsWith("Label") && vars.includes(v.slice(0, -5))));
    for (const binding of bindings) {
      const resources = vars.filter((v) => !labelled.has(v) && binding[v] && binding[v].type === "uri");
      for (const v of resources) {
        const label = binding[`${v}Label`];
        addNode(nodes, binding[v].value, label ? label.value : null);
      }
      const first = resources.length ? binding[resources[0]].value : null;
      for (const v of resources.slice(1)) {
        const other = binding[v].value;
        if (other !== first && nodes.has(first) && nodes.has(other)) edges.set(`${first} ${v} ${other}`, { from: first, to: other, label: v });
      }
    }
    drawGraph([...nodes.values()], [...edges.values()]);
    $("results").hidden = false;
    return plural(bindings.length, "row");
  }

  function showTriples(triples) {
    $("table-view").replaceChildren(table(["subject", "predicate", "object"], triples.map((t) => t.map(termNode))));
    const labels = new Map();
    for (const [s, p, o] of triples) {
      if (p.value === `${prefixes.rdfs}label` && o.type === "literal") labels.set(s.value, o.value);
    }
    const nodes = new Map();
    const edges = new Map();
    for (const [s, p, o] of triples) {
      if (o.type !== "uri" || p.value === `${prefixes.rdf}type`) continue;
      addNode(nodes, s.value, labels.get(s.value));
      addNode(nodes, o.value, labels.get(o.value));
      if (nodes.has(s.value) && nodes.has(o.value)) {
        edges.set(`${s.value} ${p.value} ${o.value}`, { from: s.value, to: o.value, label: shortName(p.value) });
      }
    }
    drawGraph([...nodes.values()], [...edges.values()]);
    $("results").hidden = false;
    return plural(triples.length, "triple");
  }

  function addNode(nodes, iri, label) {
    if (nodes.has(iri) || nodes.size >= GRAPH_LIMIT) return;
    nodes.set(iri, { id: iri, label: label || shortName(iri), href: hrefFor(iri) });
  }

  let network = null;
  function drawGraph(nodes, edges) {
    if (network) network.destroy();
    network = null;
    const container = $("graph-view");
    container.dataset.nodes = "0";
    container.dataset.edges = "0";
    if (nodes.length) network = window.kgtoolGraph(container, nodes, edges);
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
      const terms = [];
      TERM.lastIndex = 0;
      for (let i = 0; i < 3; i += 1) {
        const match = TERM.exec(line);
        if (!match) throw new Error(`cannot read the line ${line}`);
        if (match[1] !== undefined) terms.push({ type: "uri", value: unescape(match[1]) });
        else if (match[2] !== undefined) terms.push({ type: "bnode", value: match[2] });
        else {
          const term = { type: "literal", value: unescape(match[3]) };
          if (match[4]) term["xml:lang"] = match[4];
          if (match[5]) term.datatype = match[5];
          terms.push(term);
        }
      }
      triples.push(terms);
    }
    return triples;
  }

  // -- downloads ---------------------------------------------------------------------------------

  function showDownloads(kind) {
    const box = $("downloads");
    box.replaceChildren(document.createTextNode("Download: "));
    for (const [name, type, extension] of DOWNLOADS[kind] || []) {
      const button = element("button", name);
      button.type = "button";
      button.dataset.format = extension;
      button.addEventListener("click", () => download(type, extension));
      box.append(button);
    }
    box.hidden = !DOWNLOADS[kind];
  }

  async function download(type, extension) {
    hideError();
    try {
      const response = await send(lastQuery, type);
      if (!response.ok) throw new Error(`${response.status}: ${(await response.text()).trim()}`);
      const url = URL.createObjectURL(await response.blob());
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

  // -- start: a query from the address (?query=...), else the first named query ------------------

  const fromAddress = new URLSearchParams(window.location.search).get("query");
  if (fromAddress) {
    editor.value = fromAddress;
  } else if (catalogue.length) {
    select.value = catalogue[0].name;
    choose(catalogue[0].name);
  }
})();
