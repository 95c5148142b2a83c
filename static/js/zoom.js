// Zoom for the work under review (images and PDF pages), only what htmx cannot do:
// - the − / + / "Fit to width" buttons, and the keys + (or =), − and 0 while the work has focus;
// - one zoom level for every page, kept when htmx swaps the review panel after a comment.
// The image's box grows inside a scrolling stage; pins are drawn in the image's own coordinates (an SVG
// viewBox) and a click is measured against the image's on-screen box, so click-to-pin places the same
// spot at any zoom. Sizes are set through the CSSOM (element.style), which the CSP allows.
// Without JavaScript the controls stay hidden and each image links to its full size.
(() => {
  "use strict";

  const LEVELS = [1, 1.5, 2, 3, 4];
  let level = 0;

  const stages = () => document.querySelectorAll("[data-zoom-stage]");

  function apply() {
    const factor = LEVELS[level];
    stages().forEach((stage) => {
      const box = stage.querySelector(".pin-stage");
      if (!box) return;
      stage.classList.toggle("is-zoomed", factor > 1);
      box.style.width = factor > 1 ? `${factor * 100}%` : "";
    });
    document.querySelectorAll("[data-zoom-level]").forEach((output) => {
      output.textContent = factor > 1 ? `${Math.round(factor * 100)}%` : "Fit";
    });
    document.querySelectorAll("[data-zoom]").forEach((button) => {
      const which = button.dataset.zoom;
      button.disabled =
        (which === "in" && level === LEVELS.length - 1) || (which !== "in" && level === 0);
    });
  }

  function zoom(step) {
    const next = step === "fit" ? 0 : Math.min(LEVELS.length - 1, Math.max(0, level + step));
    if (next === level) return;
    // Keep the middle of what is in view in the middle after the change.
    const keep = [...stages()].map((stage) => {
      const middleX = (stage.scrollLeft + stage.clientWidth / 2) / (stage.scrollWidth || 1);
      const middleY = (stage.scrollTop + stage.clientHeight / 2) / (stage.scrollHeight || 1);
      return [stage, middleX, middleY];
    });
    level = next;
    apply();
    keep.forEach(([stage, middleX, middleY]) => {
      stage.scrollLeft = middleX * stage.scrollWidth - stage.clientWidth / 2;
      stage.scrollTop = middleY * stage.scrollHeight - stage.clientHeight / 2;
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-zoom]");
    if (!button) return;
    const which = button.dataset.zoom;
    zoom(which === "in" ? 1 : which === "out" ? -1 : "fit");
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    // Only while the work or its controls have focus: typing a comment never zooms.
    if (!event.target.closest("[data-zoom-stage], [data-zoom-controls]")) return;
    const step = { "+": 1, "=": 1, "-": -1, "_": -1, "0": "fit" }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    zoom(step);
  });

  function show() {
    document.querySelectorAll("[data-zoom-controls]").forEach((controls) => {
      controls.hidden = false;
    });
    apply();
  }

  document.addEventListener("DOMContentLoaded", show);
  document.addEventListener("htmx:afterSwap", show);
})();
