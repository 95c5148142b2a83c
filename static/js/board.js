// The project board: drag a card to another status column. The drop fills in the card's own status form
// and submits it, so the move goes through the same view, service and history as choosing a status and
// pressing "Update" (which stays there for keyboards and for browsers without JavaScript).
(() => {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  let dragged = null;

  const columnOf = (element) => element.closest("[data-board-column]");
  const recount = () => {
    board.querySelectorAll("[data-board-column]").forEach((column) => {
      const cards = column.querySelectorAll(".proj-card").length;
      const count = column.querySelector("[data-board-count]");
      if (count) count.textContent = cards;
      const empty = column.querySelector("[data-board-empty]");
      if (empty) empty.hidden = cards > 0;
    });
  };

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".proj-card");
    if (!card) return;
    dragged = card;
    card.classList.add("proj-card-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("proj-card-dragging");
    board.querySelectorAll(".proj-column-over").forEach((c) => c.classList.remove("proj-column-over"));
    dragged = null;
  });
  board.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".proj-column-over").forEach((c) => c !== column && c.classList.remove("proj-column-over"));
    column.classList.add("proj-column-over");
  });
  board.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("proj-column-over");
    const card = dragged;
    const status = column.dataset.boardColumn;
    const select = card.querySelector("select[name=status]");
    if (!select || select.value === status) return;
    column.querySelector("[data-board-cards]").appendChild(card);
    recount();
    select.value = status;
    card.querySelector("form").requestSubmit();
  });
})();
