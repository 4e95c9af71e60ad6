// The network view, for `kgtool viz` pages and the server's pages alike: reads a data block, draws it
// with vis-network, lets the layout settle and then stops it, and wires the search box, the legend
// (click a class to hide or show it) and click-to-highlight with details in the side panel (no tooltip
// covers the neighbours a click highlights). Text from the data is only ever set as textContent; links
// to sources are made only for http(s) addresses and same-site paths.
//
// Every element with a data-network attribute (the id of a JSON block) is drawn on load; the parts of
// its view are found inside it by data-role: canvas, status, search, matches, legend, details-title,
// details-text, details-hint, links, sources, open. window.kgtoolNetwork(root, data) draws one by hand.
(function () {
  "use strict";

  var DIM_NODE = { background: "#eef0f2", border: "#dde1e5" };
  var DIM_FONT = "#c4c9cf";
  var EDGE = "#9aa4ae";
  var DIM_EDGE = "#eceff2";
  var SYMBOL = { dot: "●", square: "■", diamond: "◆", triangle: "▲", triangleDown: "▼", star: "★", hexagon: "⬢" };

  function text(element, value) { if (element) { element.textContent = value; } return element; }
  function make(tag, value) { return text(document.createElement(tag), value == null ? "" : value); }
  function safeHref(url) { return /^(https?:\/\/|\/)/i.test(url || "") && !/^\/\//.test(url) ? url : null; }

  function draw(root, data) {
    var part = function (role) { return root.querySelector("[data-role=" + role + "]"); };
    var status = part("status");
    var degree = data.nodes.map(function () { return 0; });
    data.edges.forEach(function (e) { degree[e[0]] += 1; degree[e[1]] += 1; });
    // the best connected entities are named at the zoom that shows the whole network (their font is set
    // when the layout is done, from that zoom); the others are named as one zooms in
    var named = new Set(degree.map(function (d, i) { return i; })
      .sort(function (a, b) { return degree[b] - degree[a] || a - b; }).slice(0, 40));
    var fontSize = degree.map(function (d, i) { return named.has(i) ? 14 : 12; });
    var hiddenClasses = new Set();
    function nodeStyle(i, on) {
      var style = data.classes[data.nodes[i][1]];
      var node = on
        ? { id: i, color: { background: style.color, border: style.border }, font: { color: "#1f2328", size: fontSize[i] } }
        : { id: i, color: DIM_NODE, font: { color: DIM_FONT, size: fontSize[i] } };
      node.hidden = hiddenClasses.has(data.nodes[i][1]);
      return node;
    }

    var nodes = new vis.DataSet(data.nodes.map(function (n, i) {
      var node = nodeStyle(i, true);
      node.label = n[0];
      node.shape = data.classes[n[1]].shape;
      node.value = degree[i] + 1;
      return node;
    }));
    // link labels: always on a small network; on a large one only around the selected entity (vis-network
    // keeps a label once set, so a hidden one has font size 0)
    function edgeFont(selected) { return selected || data.edgeLabels ? 10 : 0; }
    var edges = new vis.DataSet(data.edges.map(function (e, i) {
      return { id: i, from: e[0], to: e[1], label: data.properties[e[2]], font: { size: edgeFont(false) } };
    }));

    // the layout runs a fixed budget of physics iterations, fewer and coarser as the network grows, then
    // stops for good (see settled): a network of thousands of entities comes to rest in seconds
    var count = data.nodes.length;
    var large = count > 1000;
    var options = {
      layout: { randomSeed: 7, improvedLayout: count <= 150 },
      nodes: {
        borderWidth: 1, font: { face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" },
        scaling: { min: 7, max: 24, label: { enabled: false, drawThreshold: 8, maxVisible: 22 } }
      },
      edges: {
        width: 1, color: { color: EDGE, highlight: "#24292f", hover: "#24292f" },
        arrows: { to: { enabled: true, scaleFactor: 0.45 } },
        smooth: large ? false : { enabled: true, type: "continuous", roundness: 0.2 },
        font: { size: 10, color: "#57606a", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" }
      },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: {
          gravitationalConstant: count < 100 ? -110 : -45, centralGravity: 0.012, springLength: count < 100 ? 150 : 90,
          springConstant: 0.07, damping: 0.5,
          theta: large ? 1.0 : 0.5, avoidOverlap: large ? 0 : count > 300 ? 0.1 : 0.2
        },
        maxVelocity: 60, minVelocity: 1.5, timestep: 0.5,
        stabilization: { enabled: true, iterations: count > 5000 ? 80 : large ? 150 : count > 300 ? 200 : 300, updateInterval: 20, fit: true }
      },
      interaction: { hover: true, hideEdgesOnDrag: large, hideEdgesOnZoom: large, multiselect: false }
    };

    var container = part("canvas");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    var view = { network: network, nodes: nodes, edges: edges, state: "layout", stableAt: null, selected: null, root: root };
    window.kgView = view;

    function settled() {
      if (view.state === "stable") { return; }
      // stop the simulation: the picture stays where the layout put it, and dragging moves one node only
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      var scale = network.getScale();
      named.forEach(function (i) { fontSize[i] = Math.max(14, Math.round(13 / scale)); });
      nodes.update(Array.from(named, function (i) { return nodeStyle(i, true); }));
      view.state = "stable";
      view.stableAt = performance.now();
      root.dataset.state = "stable";
      if (root === document.body || root.hasAttribute("data-page-state")) { document.body.dataset.state = "stable"; }
      text(status, "layout done");
    }
    network.on("stabilizationProgress", function (p) {
      text(status, "laying out… " + Math.round(100 * p.iterations / p.total) + "%");
    });
    network.once("stabilizationIterationsDone", settled);
    network.once("stabilized", settled);
    if (data.nodes.length === 0) { settled(); }

    // --- details panel and click-to-highlight

    var title = part("details-title");
    var details = part("details-text");
    var hint = part("details-hint");
    var links = part("links");
    var sources = part("sources");
    var open = part("open");

    function linkButton(label, id) {
      var li = document.createElement("li");
      var button = make("button", label);
      button.type = "button";
      button.addEventListener("click", function () { select(id, true); });
      li.appendChild(button);
      return li;
    }

    function showSources(indices) {
      if (!sources) { return; }
      sources.replaceChildren();
      (indices || []).forEach(function (k) {
        var source = data.sources[k];
        var li = document.createElement("li");
        var href = safeHref(source[1]);
        var item = make(href ? "a" : "span", source[0]);
        if (href) { item.href = href; item.rel = "noopener noreferrer"; item.target = "_blank"; }
        item.title = source[1];
        li.appendChild(item);
        sources.appendChild(li);
      });
      sources.hidden = !sources.children.length;
    }

    function showDetails(id) {
      var n = data.nodes[id];
      text(title, n[0]);
      text(details, n[2]);
      if (hint) { hint.hidden = true; }
      showSources(n[3]);
      if (open) {
        var href = safeHref(n[4]);
        open.hidden = !href;
        if (href) { open.href = href; }
      }
      if (!links) { return; }
      links.replaceChildren();
      network.getConnectedEdges(id).map(function (edgeId) { return data.edges[edgeId]; })
        .sort(function (a, b) { return data.properties[a[2]].localeCompare(data.properties[b[2]]); })
        .forEach(function (e) {
          var out = e[0] === id;
          var other = out ? e[1] : e[0];
          var arrow = out ? "—" + data.properties[e[2]] + "→ " : "←" + data.properties[e[2]] + "— ";
          links.appendChild(linkButton(arrow + data.nodes[other][0], other));
        });
    }

    function clearDetails() {
      text(title, "");
      text(details, "");
      if (links) { links.replaceChildren(); }
      showSources([]);
      if (open) { open.hidden = true; }
      if (hint) { hint.hidden = false; }
    }

    function highlight(id) {
      var keep = new Set(network.getConnectedNodes(id));
      keep.add(id);
      var incident = new Set(network.getConnectedEdges(id));
      nodes.update(data.nodes.map(function (n, i) {
        var node = nodeStyle(i, keep.has(i));
        if (keep.has(i)) { node.font.size = Math.max(fontSize[i], 18); }
        return node;
      }));
      edges.update(data.edges.map(function (e, i) {
        var on = incident.has(i);
        return { id: i, color: { color: on ? "#24292f" : DIM_EDGE }, font: { size: edgeFont(on) } };
      }));
    }

    function reset() {
      view.selected = null;
      nodes.update(data.nodes.map(function (n, i) { return nodeStyle(i, true); }));
      edges.update(data.edges.map(function (e, i) {
        return { id: i, color: { color: EDGE }, font: { size: edgeFont(false) } };
      }));
      clearDetails();
    }

    function select(id, move) {
      view.selected = id;
      network.selectNodes([id]);
      highlight(id);
      showDetails(id);
      if (move) { network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 400 } }); }
    }

    network.on("click", function (params) {
      if (params.nodes.length) { select(params.nodes[0], false); } else if (view.selected !== null) { reset(); }
    });
    network.on("doubleClick", function (params) {
      var href = params.nodes.length ? safeHref(data.nodes[params.nodes[0]][4]) : null;
      if (href && href.charAt(0) === "/") { window.location.assign(href); }
    });
    view.select = select;
    view.reset = reset;

    // --- search

    var search = part("search");
    var matches = part("matches");
    var lowered = data.nodes.map(function (n) { return n[0].toLowerCase(); });

    function found(query) {
      var q = query.trim().toLowerCase();
      if (!q) { return []; }
      var exact = [], starts = [], within = [];
      lowered.forEach(function (label, i) {
        if (label === q) { exact.push(i); } else if (label.indexOf(q) === 0) { starts.push(i); } else if (label.indexOf(q) > 0) { within.push(i); }
      });
      return exact.concat(starts, within);
    }

    if (search && matches) {
      search.addEventListener("input", function () {
        var hits = found(search.value);
        matches.replaceChildren();
        hits.slice(0, 15).forEach(function (i) {
          matches.appendChild(linkButton(data.nodes[i][0] + " (" + data.classes[data.nodes[i][1]].label + ")", i));
        });
        if (hits.length > 15) { matches.appendChild(make("li", "… " + (hits.length - 15) + " more")); }
        if (search.value.trim() && !hits.length) { matches.appendChild(make("li", "no entity matches")); }
      });
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          var hits = found(search.value);
          if (hits.length) { select(hits[0], true); }
        }
      });
    }

    // --- legend: one button per class; a click hides or shows its entities

    var legend = part("legend");
    function toggleClass(index, button) {
      if (hiddenClasses.has(index)) { hiddenClasses.delete(index); } else { hiddenClasses.add(index); }
      button.setAttribute("aria-pressed", hiddenClasses.has(index) ? "false" : "true");
      if (view.selected !== null && hiddenClasses.has(data.nodes[view.selected][1])) { reset(); }
      nodes.update(data.nodes.map(function (n, i) {
        return { id: i, hidden: hiddenClasses.has(n[1]) };
      }));
      root.dataset.hidden = String(nodes.get({ filter: function (n) { return n.hidden; } }).length);
    }
    if (legend) {
      data.classes.forEach(function (c, index) {
        if (!c.count) { return; }
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("aria-pressed", "true");
        button.title = "show or hide this class";
        var swatch = make("span", SYMBOL[c.shape] || "●");
        swatch.className = "swatch";
        swatch.style.color = c.color;
        var number = make("span", String(c.count));
        number.className = "count";
        button.append(swatch, make("span", c.label), number);
        button.addEventListener("click", function () { toggleClass(index, button); });
        li.appendChild(button);
        legend.appendChild(li);
      });
    }
    root.dataset.hidden = "0";
    root.dataset.nodes = String(data.nodes.length);
    root.dataset.edges = String(data.edges.length);
    view.destroy = function () { network.destroy(); };
    return view;
  }

  window.kgtoolNetwork = draw;
  document.querySelectorAll("[data-network]").forEach(function (root) {
    draw(root, JSON.parse(document.getElementById(root.dataset.network).textContent));
  });
})();
