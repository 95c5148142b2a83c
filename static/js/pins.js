// The client portal's comment form, only what htmx cannot do:
// - click a page image to place a pin: fills the hidden page/pin_x/pin_y inputs (fractions of the
//   image's displayed size) and the two "across/down (%)" inputs, and shows a marker;
// - typing the percentages (the keyboard way) moves the marker and the hidden inputs the same way;
// - select a passage of copy: fills quote_start/quote_end with the selection's offsets in the copy,
//   counted in code points like the server's Python string (the copy element's text is version.text).
// Positions are set through the CSSOM (element.style), which the CSP allows; no inline style attributes.
// Everything is delegated from document, so it keeps working after htmx swaps the review panel.
(() => {
  "use strict";

  const form = () => document.querySelector("[data-comment-form]");
  const field = (f, selector) => f && f.querySelector(selector);
  const round = (value) => Math.round(value * 10000) / 10000;
  const percent = (fraction) => String(Math.round(fraction * 1000) / 10);

  function stageFor(page) {
    return document.querySelector(`[data-pin-stage][data-pinnable][data-page="${page}"]`);
  }

  function removeMarker() {
    document.querySelectorAll(".portal-pin-marker").forEach((marker) => marker.remove());
  }

  function drawMarker(page, x, y) {
    removeMarker();
    const stage = stageFor(page);
    if (!stage) return;
    // The shared pins partial wraps the image in its own .pin-stage; the marker sits over that box.
    const box = stage.querySelector(".pin-stage") || stage;
    const marker = document.createElement("span");
    marker.className = "portal-pin-marker";
    marker.setAttribute("aria-hidden", "true");
    marker.style.left = `${x * 100}%`;
    marker.style.top = `${y * 100}%`;
    box.appendChild(marker);
  }

  function showPinStatus(f, page, x, y) {
    const status = field(f, "[data-pin-status]");
    if (!status) return;
    const text = field(f, "[data-pin-status-text]");
    const pages = document.querySelectorAll("[data-pin-stage][data-pinnable]").length;
    const where = pages > 1 ? `on page ${page} ` : "";
    text.textContent = `Your comment is pinned ${where}at ${percent(x)}% across, ${percent(y)}% down.`;
    status.hidden = false;
  }

  function setPin(f, page, x, y, { fromPercent = false } = {}) {
    field(f, "[data-pin-x]").value = round(x);
    field(f, "[data-pin-y]").value = round(y);
    const pageInput = field(f, "[data-pin-page]");
    if (pageInput) pageInput.value = page;
    if (!fromPercent) {
      field(f, '[data-pin-percent="x"]').value = percent(x);
      field(f, '[data-pin-percent="y"]').value = percent(y);
    }
    drawMarker(page, x, y);
    showPinStatus(f, page, x, y);
  }

  function clearPin(f) {
    ["[data-pin-x]", "[data-pin-y]", '[data-pin-percent="x"]', '[data-pin-percent="y"]'].forEach((selector) => {
      const input = field(f, selector);
      if (input) input.value = "";
    });
    removeMarker();
    const status = field(f, "[data-pin-status]");
    if (status) status.hidden = true;
  }

  // A click on a pinnable page places the pin where it landed.
  document.addEventListener("click", (event) => {
    const f = form();
    if (!f) return;
    if (event.target.closest("[data-pin-clear]")) {
      clearPin(f);
      return;
    }
    if (event.target.closest("[data-quote-clear]")) {
      clearQuote(f);
      return;
    }
    const stage = event.target.closest("[data-pin-stage][data-pinnable]");
    if (!stage || event.target.closest("a")) return;
    const image = stage.querySelector("img");
    if (!image) return;
    const rect = image.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const x = (event.clientX - rect.left) / rect.width;
    const y = (event.clientY - rect.top) / rect.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) return;
    setPin(f, stage.dataset.page, x, y);
    field(f, "textarea[name=body]")?.focus({ preventScroll: false });
  });

  // The keyboard way: the percentages drive the same hidden fractions and the marker.
  document.addEventListener("input", (event) => {
    const f = form();
    if (!f || !f.contains(event.target)) return;
    if (!event.target.matches("[data-pin-percent], [data-pin-page]")) return;
    const across = parseFloat(field(f, '[data-pin-percent="x"]').value);
    const down = parseFloat(field(f, '[data-pin-percent="y"]').value);
    const pageInput = field(f, "[data-pin-page]");
    const page = pageInput && pageInput.value ? pageInput.value : "1";
    if (Number.isFinite(across) && Number.isFinite(down) && across >= 0 && across <= 100 && down >= 0 && down <= 100) {
      setPin(f, page, across / 100, down / 100, { fromPercent: true });
    } else {
      // Half-typed or out of range: send no fraction, so the server reads (and checks) the percentages.
      field(f, "[data-pin-x]").value = "";
      field(f, "[data-pin-y]").value = "";
      removeMarker();
    }
  });

  // ---------------------------------------------------------------- passages of copy

  function codePoints(text) {
    return Array.from(text).length;
  }

  function offsetWithin(root, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  function clearQuote(f) {
    const start = field(f, "[data-quote-start]");
    const end = field(f, "[data-quote-end]");
    if (start) start.value = "";
    if (end) end.value = "";
    const status = field(f, "[data-quote-status]");
    if (status) status.hidden = true;
  }

  document.addEventListener("selectionchange", () => {
    const f = form();
    const copy = document.querySelector("[data-copy-text]");
    const start = field(f, "[data-quote-start]");
    if (!f || !copy || !start) return;
    const selection = document.getSelection();
    // A collapsed selection (a click, or focus moving to the form) keeps the passage already chosen.
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    if (!copy.contains(range.startContainer) || !copy.contains(range.endContainer)) return;
    const from = offsetWithin(copy, range.startContainer, range.startOffset);
    const to = offsetWithin(copy, range.endContainer, range.endOffset);
    if (to <= from) return;
    start.value = from;
    field(f, "[data-quote-end]").value = to;
    const quoted = Array.from(copy.textContent).slice(from, to).join("");
    field(f, "[data-quote-preview]").textContent = quoted.length > 160 ? `${quoted.slice(0, 157)}…` : quoted;
    field(f, "[data-quote-status]").hidden = false;
  });

  // After a failed submit the form comes back with the pin it had: show it again.
  function restore() {
    const f = form();
    if (!f) return;
    const x = parseFloat(field(f, "[data-pin-x]")?.value);
    const y = parseFloat(field(f, "[data-pin-y]")?.value);
    const pageInput = field(f, "[data-pin-page]");
    if (Number.isFinite(x) && Number.isFinite(y) && x >= 0 && x <= 1 && y >= 0 && y <= 1) {
      const page = pageInput && pageInput.value ? pageInput.value : "1";
      drawMarker(page, x, y);
      showPinStatus(f, page, x, y);
    }
    const copy = document.querySelector("[data-copy-text]");
    const from = parseInt(field(f, "[data-quote-start]")?.value, 10);
    const to = parseInt(field(f, "[data-quote-end]")?.value, 10);
    if (copy && Number.isInteger(from) && Number.isInteger(to) && to > from) {
      field(f, "[data-quote-preview]").textContent = Array.from(copy.textContent).slice(from, to).join("");
      field(f, "[data-quote-status]").hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", restore);
  document.addEventListener("htmx:afterSwap", restore);
})();
