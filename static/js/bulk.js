// Bulk edit in a project's task list: "Select all" and a count of the ticked tasks. Without JavaScript the
// checkboxes and the buttons post the same form; this only adds the shortcut and the count.
(() => {
  const form = document.querySelector("[data-bulk]");
  if (!form) return;
  const boxes = () => Array.from(document.querySelectorAll("[data-bulk-task]"));
  const all = form.querySelector("[data-bulk-all]");
  const count = form.querySelector("[data-bulk-count]");
  const update = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    if (count) count.textContent = ticked ? `(${ticked} ticked)` : "";
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
  };
  form.querySelector("[data-bulk-all-wrap]").hidden = false;
  all.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = all.checked; });
    update();
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("[data-bulk-task]")) update();
  });
  update();
})();
