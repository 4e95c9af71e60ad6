// Draws a small network with vis-network (served by this server from the installed pyvis package).
// Labels are drawn on a canvas as plain text, so no text from the data ever becomes HTML.
"use strict";

window.kgtoolGraph = function drawGraph(container, nodes, edges) {
  const nodeSet = new vis.DataSet(nodes);
  const network = new vis.Network(container, { nodes: nodeSet, edges: new vis.DataSet(edges) }, {
    nodes: { shape: "dot", size: 9, font: { size: 13, face: "sans-serif" }, color: "#4c78a8" },
    edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, font: { size: 10, align: "middle" },
             color: { color: "#9aa5b1" }, smooth: false },
    groups: {
      entity: { color: "#d1495b", size: 15 },
      out: { color: "#4c78a8" },
      in: { color: "#59a14f" },
    },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 200 } },
    interaction: { hover: true },
  });
  network.on("doubleClick", (event) => {
    const node = event.nodes.length ? nodeSet.get(event.nodes[0]) : null;
    if (node && node.href) window.location.assign(node.href);
  });
  container.dataset.nodes = String(nodes.length);
  container.dataset.edges = String(edges.length);
  return network;
};
