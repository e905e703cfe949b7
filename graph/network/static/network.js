/* coopgraph: draws a collaboration network with vis-network from the JSON in #network-data.
   Names come from the data and are untrusted: every text goes into the page through textContent,
   and vis-network gets each tooltip as a ready DOM element, so no string is ever read as HTML. */
(function () {
  "use strict";

  // A heading and [name, value] rows as an element: the tooltip and the details panel.
  function describe(item) {
    const box = document.createElement("div");
    box.className = "network-facts";
    const heading = document.createElement("strong");
    heading.textContent = item.heading;
    const list = document.createElement("dl");
    for (const [name, value] of item.facts) {
      const term = document.createElement("dt");
      const description = document.createElement("dd");
      term.textContent = name;
      description.textContent = value;
      list.append(term, description);
    }
    box.append(heading, list);
    return box;
  }

  const source = document.getElementById("network-data");
  const container = document.getElementById("network");
  const panel = document.getElementById("network-details");
  if (!source || !container || typeof vis === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  for (const item of data.nodes.concat(data.edges)) {
    item.title = describe(item);
  }
  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  // For benchmarks and browser tests: the first frame is on the canvas, and where each node is.
  window.coopgraphNetwork = network;
  network.once("afterDrawing", function () {
    window.coopgraphNetworkDrawn = true;
  });
  network.fit();

  function show(item) {
    panel.replaceChildren();
    if (item) {
      panel.append(describe(item));
    }
    panel.hidden = !item;
  }

  // A node with a page opens it (only a path on this server); otherwise a click shows what is known.
  network.on("click", function (event) {
    const node = event.nodes.length ? nodes.get(event.nodes[0]) : null;
    if (node && typeof node.url === "string" && node.url.startsWith("/") && !node.url.startsWith("//")) {
      window.location.assign(node.url);
      return;
    }
    show(node || (event.edges.length ? edges.get(event.edges[0]) : null));
  });
})();
