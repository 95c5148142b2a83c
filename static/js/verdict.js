// The client's decision form: show only the text box that fits the chosen verdict ("the changes you
// approve with" for approve with changes, "what should change" for request changes). Without
// JavaScript both stay visible and the server still says which one a verdict needs; a form the server
// sends back already hides the box that does not fit the verdict chosen (portal/approval.html).
(() => {
  "use strict";

  function update(form) {
    const chosen = form.querySelector("input[name=verdict]:checked");
    form.querySelectorAll("[data-verdict-field]").forEach((box) => {
      const fits = chosen && box.dataset.verdictField.split(" ").includes(chosen.value);
      // A box with an error or text in it stays, so nothing the client wrote disappears.
      const kept = box.classList.contains("has-error") || (box.querySelector("textarea")?.value || "").trim();
      box.hidden = !(fits || kept);
    });
  }

  document.addEventListener("change", (event) => {
    if (event.target.name === "verdict") update(event.target.closest("form"));
  });
  document.querySelectorAll(".portal-verdict-form").forEach(update);
})();
