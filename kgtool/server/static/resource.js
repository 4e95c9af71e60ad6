// The neighbourhood graph of an entity page; the server computed its nodes and edges.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const container = document.getElementById("neighbourhood");
  if (data.nodes.length > 1) {
    window.kgtoolGraph(container, data.nodes, data.edges);
  } else {
    container.hidden = true;
  }
})();
