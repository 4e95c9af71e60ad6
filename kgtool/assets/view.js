// The network view: reads the data block, draws it with vis-network, lets the layout settle and then
// stops it, and wires the search box, the legend and click-to-highlight. Text from the data is only ever
// set as textContent or as a vis-network title string (which vis-network sets as innerText).
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var status = document.getElementById("status");
  var DIM_NODE = { background: "#eef0f2", border: "#dde1e5" };
  var DIM_FONT = "#c4c9cf";
  var EDGE = "#9aa4ae";
  var DIM_EDGE = "#eceff2";

  function text(element, value) { element.textContent = value; return element; }
  function make(tag, value) { return text(document.createElement(tag), value == null ? "" : value); }

  var degree = data.nodes.map(function () { return 0; });
  data.edges.forEach(function (e) { degree[e[0]] += 1; degree[e[1]] += 1; });
  // the best connected entities are named at the zoom that shows the whole network (their font is set
  // when the layout is done, from that zoom); the others are named as one zooms in
  var named = new Set(degree.map(function (d, i) { return i; })
    .sort(function (a, b) { return degree[b] - degree[a] || a - b; }).slice(0, 40));
  var fontSize = degree.map(function (d, i) { return named.has(i) ? 14 : 12; });
  function nodeStyle(i, on) {
    var style = data.classes[data.nodes[i][1]];
    return on
      ? { id: i, color: { background: style.color, border: style.border }, font: { color: "#1f2328", size: fontSize[i] } }
      : { id: i, color: DIM_NODE, font: { color: DIM_FONT, size: fontSize[i] } };
  }

  var nodes = new vis.DataSet(data.nodes.map(function (n, i) {
    var node = nodeStyle(i, true);
    node.label = n[0];
    node.title = n[0] + "\n" + n[2];
    node.shape = data.classes[n[1]].shape;
    node.value = degree[i] + 1;
    return node;
  }));
  // link labels: always on a small network; on a large one only around the selected entity (vis-network
  // keeps a label once set, so a hidden one has font size 0)
  function edgeFont(selected) { return selected || data.edgeLabels ? 10 : 0; }
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    var label = data.properties[e[2]];
    var title = data.nodes[e[0]][0] + " —" + label + "→ " + data.nodes[e[1]][0] + (e[3] ? "\n" + e[3] : "");
    return { id: i, from: e[0], to: e[1], label: label, font: { size: edgeFont(false) }, title: title };
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
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: large, hideEdgesOnZoom: large, multiselect: false }
  };

  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var view = { network: network, nodes: nodes, edges: edges, state: "layout", stableAt: null, selected: null };
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
    document.body.dataset.state = "stable";
    text(status, "layout done");
  }
  network.on("stabilizationProgress", function (p) {
    text(status, "laying out… " + Math.round(100 * p.iterations / p.total) + "%");
  });
  network.once("stabilizationIterationsDone", settled);
  network.once("stabilized", settled);
  if (data.nodes.length === 0) { settled(); }

  // --- details panel and click-to-highlight

  var title = document.getElementById("details-title");
  var details = document.getElementById("details-text");
  var hint = document.getElementById("details-hint");
  var links = document.getElementById("links");

  function linkButton(label, id) {
    var li = document.createElement("li");
    var button = make("button", label);
    button.type = "button";
    button.addEventListener("click", function () { select(id, true); });
    li.appendChild(button);
    return li;
  }

  function showDetails(id) {
    var n = data.nodes[id];
    text(title, n[0]);
    text(details, n[2]);
    hint.hidden = true;
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
    links.replaceChildren();
    hint.hidden = false;
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
  view.select = select;
  view.reset = reset;

  // --- search

  var search = document.getElementById("search");
  var matches = document.getElementById("matches");
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

  // --- legend

  var legend = document.getElementById("legend");
  var SYMBOL = { dot: "●", square: "■", diamond: "◆", triangle: "▲", triangleDown: "▼", star: "★", hexagon: "⬢" };
  data.classes.forEach(function (c) {
    if (!c.count) { return; }
    var li = document.createElement("li");
    var swatch = make("span", SYMBOL[c.shape] || "●");
    swatch.className = "swatch";
    swatch.style.color = c.color;
    var count = make("span", String(c.count));
    count.className = "count";
    li.append(swatch, make("span", c.label), count);
    legend.appendChild(li);
  });
})();
