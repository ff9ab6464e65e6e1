// Click a column header of a table.sortable to sort its rows by that column; click again to reverse.
// Cells sort by their data-sort attribute (numbers when both parse as numbers); empty values always sort last, and
// reference rows (scripted answers, published figures: a span.reference in the first cell) stay below the runs.
(function () {
  function isReference(row) {
    return row.cells.length > 0 && row.cells[0].querySelector(".reference") !== null;
  }
  function key(cell) {
    var raw = cell ? cell.getAttribute("data-sort") : null;
    if (raw === null) raw = cell ? cell.textContent.trim() : "";
    return raw;
  }
  function compare(a, b) {
    if (a === "" && b === "") return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    var x = Number(a), y = Number(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b);
  }
  function sortBy(table, th, index) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var ref1 = isReference(r1), ref2 = isReference(r2);
      if (ref1 !== ref2) return ref1 ? 1 : -1; // runs first in both directions
      var a = key(r1.cells[index]), b = key(r2.cells[index]);
      if (a === "" || b === "") return compare(a, b); // empties last in both directions
      var c = compare(a, b);
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.tabIndex = 0;
      th.title = "sort by this column";
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(table, th, index); });
    });
  });
})();
// Type in an input.filter to show only the rows of its table (data-table: the table's id) whose text holds every
// word typed (e.g. "overall dds", "units say"), case-insensitively.
(function () {
  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    if (!table) return;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  });
})();
