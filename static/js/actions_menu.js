// The project's actions menu is a <details> disclosure: without JavaScript it opens and closes with a click,
// Enter or Space. Here: Escape closes it and returns focus to its button, Up/Down move between its links,
// and a click or focus elsewhere closes it.
(() => {
  document.querySelectorAll("[data-actions-menu]").forEach((menu) => {
    const summary = menu.querySelector("summary");
    const links = () => Array.from(menu.querySelectorAll("a"));
    menu.addEventListener("toggle", () => {
      if (menu.open && links().length) links()[0].focus();
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        summary.focus();
        event.preventDefault();
        return;
      }
      if (!menu.open || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
      const items = links();
      const at = items.indexOf(document.activeElement);
      const step = event.key === "ArrowDown" ? 1 : -1;
      items[(at + step + items.length) % items.length].focus();
      event.preventDefault();
    });
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("focusout", (event) => {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
    });
  });
})();
