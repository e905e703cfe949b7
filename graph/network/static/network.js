/* coopgraph: draws a collaboration network with vis-network from the JSON in #network-data.
   Names come from the data and are untrusted: every text goes into the page through textContent,
   vis-network gets each tooltip as a ready DOM element, and the names on the canvas are canvas text,
   so no string is ever read as HTML. The layout comes with the data (physics off); so do the labels,
   each with the zoom from which it clears the labels before it (coopgraph.network.layout). */
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

  // A name as the find box compares it: without case or accents ("Umeå" is found by "umea").
  const LETTERS = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i" };  // letters no accent can be stripped from
  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
      .replace(/[ßæœøłđðþı]/g, (letter) => LETTERS[letter]);
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
  const found = new Set();

  // The names: fixed on screen (a label of 12 pixels stays 12 pixels at any zoom), each drawn from its scale on,
  // where it was placed (below, above, right or left of its node); a country's name at its sector. The nodes
  // found are named whatever the zoom, in bold on a yellow halo, on top; other names in their way give way.
  const radius = new Map(data.nodes.map((node) => [node.id, node.size]));
  function spot(context, label, positions, scale, marked) {
    const size = label.size / scale;
    const height = 1.25 * size;
    let [x, y, align] = [label.x, label.y, "center"];
    if (label.node !== undefined) {
      const at = positions[label.node];
      const away = radius.get(label.node);
      [x, y, align] = {
        above: [at.x, at.y - away - 2 / scale - height, "center"],
        right: [at.x + away + 4 / scale, at.y - height / 2, "left"],
        left: [at.x - away - 4 / scale, at.y - height / 2, "right"],
      }[label.place] || [at.x, at.y + away + 2 / scale, "center"];
    }
    context.font = (label.bold || marked ? "bold " : "") + size + "px Arial, sans-serif";
    const width = context.measureText(label.text).width;
    const left = { left: x, right: x - width }[align] ?? x - width / 2;
    return { x: x, y: y, align: align, font: context.font, left: left, right: left + width, top: y,
      bottom: y + height };
  }
  function write(context, label, at, scale, marked) {
    context.font = at.font;
    context.textAlign = at.align;
    context.lineWidth = (marked ? 5 : 3) / scale;
    context.strokeStyle = marked ? "#fde68a" : "rgba(255, 255, 255, 0.92)";
    context.strokeText(label.text, at.x, at.y);
    context.fillText(label.text, at.x, at.y);
  }
  function apart(one, other) {
    return one.right < other.left || other.right < one.left || one.bottom < other.top || other.bottom < one.top;
  }
  network.on("afterDrawing", function (context) {
    const scale = network.getScale();
    const positions = network.getPositions();
    context.save();
    context.textBaseline = "top";
    context.lineJoin = "round";
    context.fillStyle = "#1f2933";
    const marked = data.labels.filter((label) => found.has(label.node))
      .map((label) => [label, spot(context, label, positions, scale, true)]);
    for (let index = data.labels.length - 1; index >= 0; index -= 1) {  // the most important on top
      const label = data.labels[index];
      if (scale >= label.scale && !found.has(label.node)) {
        const at = spot(context, label, positions, scale, false);
        if (marked.every(([, other]) => apart(at, other))) {
          write(context, label, at, scale, false);
        }
      }
    }
    for (const [label, at] of marked) {
      write(context, label, at, scale, true);
    }
    context.restore();
  });
  // For benchmarks and browser tests: where each node is, and (an attribute they can wait for without running
  // script in the page, which the Content-Security-Policy forbids) the first frame is on the canvas.
  window.coopgraphNetwork = network;
  network.once("afterDrawing", function () {
    document.documentElement.dataset.networkDrawn = "true";
  });
  // The whole drawing in view, its names too: vis-network fits the circles only, and a name keeps its size on
  // screen however far out one zooms; so zoom out until the names drawn fit as well (fewer are drawn, further out).
  const measure = document.createElement("canvas").getContext("2d");
  function fitAll() {
    network.fit();
    for (let round = 0; round < 4 && data.nodes.length; round += 1) {
      const scale = network.getScale();
      const positions = network.getPositions();
      const bounds = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
      const extend = (box) => {
        bounds.left = Math.min(bounds.left, box.left);
        bounds.top = Math.min(bounds.top, box.top);
        bounds.right = Math.max(bounds.right, box.right);
        bounds.bottom = Math.max(bounds.bottom, box.bottom);
      };
      for (const [id, at] of Object.entries(positions)) {
        const away = radius.get(Number(id));
        extend({ left: at.x - away, top: at.y - away, right: at.x + away, bottom: at.y + away });
      }
      data.labels.filter((label) => scale >= label.scale)
        .forEach((label) => extend(spot(measure, label, positions, scale, false)));
      const factor = Math.min(1, container.clientWidth / (1.04 * scale * (bounds.right - bounds.left)),
        container.clientHeight / (1.04 * scale * (bounds.bottom - bounds.top)));
      network.moveTo({ position: { x: (bounds.left + bounds.right) / 2, y: (bounds.top + bounds.bottom) / 2 },
        scale: scale * factor });
      if (factor > 0.98) {
        break;
      }
    }
  }
  fitAll();

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

  // The find box: every node whose name holds the text is selected, named and brought into view;
  // Enter goes from one to the next.
  const input = document.getElementById("network-find");
  const status = document.getElementById("network-found");
  if (!input || !status) {
    return;
  }
  const names = data.nodes.map((node) => [node.id, fold(node.heading)]);
  let matches = [];
  let current = -1;
  input.addEventListener("input", function () {
    const text = fold(input.value.trim());
    matches = text ? names.filter(([, name]) => name.includes(text)).map(([id]) => id) : [];
    current = -1;
    found.clear();
    matches.forEach((id) => found.add(id));
    network.selectNodes(matches, false);
    status.textContent = !text ? "" : matches.length ? matches.length + " found" : "none found";
    if (matches.length) {
      network.fit({ nodes: matches });  // at once: a node found is where it is shown
    } else {
      fitAll();
    }
    network.redraw();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !matches.length) {
      return;
    }
    event.preventDefault();
    current = (current + 1) % matches.length;
    network.focus(matches[current], { scale: Math.max(network.getScale(), 1) });
    status.textContent = (current + 1) + " of " + matches.length + " found";
  });
})();
