// coopgraph's offline map: pointing at (or tabbing to) a region shows its links and fades the others.
// Listeners only, no inline handlers; nothing is written into the page but class names.
(() => {
  for (const map of document.querySelectorAll(".coop-map > svg")) {
    const links = map.querySelectorAll(".link");
    const focus = (code) => {
      map.classList.toggle("focused", code !== null);
      for (const link of links) {
        link.classList.toggle("on", code !== null && (link.dataset.a === code || link.dataset.b === code));
      }
    };
    const region = (event) => event.target.closest("a")?.querySelector(".region") || event.target.closest(".region");
    for (const [start, end] of [["mouseover", "mouseout"], ["focusin", "focusout"]]) {
      map.addEventListener(start, (event) => { const spot = region(event); if (spot) focus(spot.dataset.code); });
      map.addEventListener(end, (event) => { if (region(event)) focus(null); });
    }
  }
})();
