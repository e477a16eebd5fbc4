/* Repeating form rows (WTForms FieldList): an "add another row" button and a "remove" button per row.
   Markup: a container with data-rows="<field list name>", data-row-max, data-row-add-label, data-row-remove-label and
   data-row-blank (JSON: a new row's select values), holding the rows as children with data-row. A label with
   data-row-label="Vaardigheid {n}" gets its row number. Without JavaScript the server's blank rows still work. */
(function () {
  "use strict";

  function rowsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.hasAttribute("data-row"); });
  }

  function namePattern(list) {
    var prefix = list.getAttribute("data-rows").replace(/[^A-Za-z0-9_-]/g, "");
    return new RegExp("^" + prefix + "-\\d+-");
  }

  function firstInput(row) {
    return row.querySelector("input:not([type=hidden]), select, textarea");
  }

  function renumber(list) {
    var pattern = namePattern(list);
    var prefix = list.getAttribute("data-rows");
    rowsOf(list).forEach(function (row, index) {
      var replacement = prefix + "-" + index + "-";
      row.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) { el.setAttribute(attr, value.replace(pattern, replacement)); }
        });
        var described = el.getAttribute("aria-describedby");
        if (described) {
          el.setAttribute("aria-describedby", described.split(/\s+/).map(function (token) {
            return token.replace(pattern, replacement);
          }).join(" "));
        }
      });
      row.querySelectorAll("[data-row-label]").forEach(function (el) {
        el.textContent = el.getAttribute("data-row-label").replace("{n}", String(index + 1));
      });
    });
  }

  function clearRow(list, row) {
    var pattern = namePattern(list);
    var blank = {};
    try { blank = JSON.parse(list.getAttribute("data-row-blank") || "{}"); } catch (e) { blank = {}; }
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      var key = (el.getAttribute("name") || "").replace(pattern, "");
      if (el.type === "hidden") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = false;
        el.defaultChecked = false;
      } else if (el.tagName === "SELECT") {
        var wanted = Object.prototype.hasOwnProperty.call(blank, key) ? blank[key] : "";
        Array.prototype.forEach.call(el.options, function (option) { option.defaultSelected = option.value === wanted; });
        el.value = wanted;
        if (el.selectedIndex < 0) { el.selectedIndex = 0; }
      } else {
        el.defaultValue = "";
        el.value = "";
      }
      el.removeAttribute("aria-invalid");
      var described = el.getAttribute("aria-describedby");
      if (described) {
        var keep = described.split(/\s+/).filter(function (token) { return token && !/-error$/.test(token); });
        if (keep.length) { el.setAttribute("aria-describedby", keep.join(" ")); } else { el.removeAttribute("aria-describedby"); }
      }
    });
    row.querySelectorAll(".error").forEach(function (el) { el.parentNode.removeChild(el); });
    row.classList.remove("has-error");
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
  }

  function updateAddButton(list) {
    var button = list.rowsAddButton;
    var max = parseInt(list.getAttribute("data-row-max") || "0", 10);
    if (button) { button.disabled = max > 0 && rowsOf(list).length >= max; }
  }

  function addRow(list) {
    var rows = rowsOf(list);
    var max = parseInt(list.getAttribute("data-row-max") || "0", 10);
    if (!rows.length || (max > 0 && rows.length >= max)) { return; }
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    last.parentNode.insertBefore(copy, last.nextSibling);
    clearRow(list, copy);
    renumber(list);
    updateAddButton(list);
    var input = firstInput(copy);
    if (input) { input.focus(); }
  }

  function removeRow(list, row) {
    var rows = rowsOf(list);
    var index = rows.indexOf(row);
    if (rows.length > 1) {
      row.parentNode.removeChild(row);
    } else {
      clearRow(list, row);
    }
    renumber(list);
    updateAddButton(list);
    var left = rowsOf(list);
    var input = firstInput(left[Math.min(index, left.length - 1)]);
    if (input) { input.focus(); }
  }

  function removeButton(list) {
    var wrap = document.createElement("div");
    wrap.className = "row-remove";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.setAttribute("data-row-remove", "");
    button.textContent = list.getAttribute("data-row-remove-label");
    wrap.appendChild(button);
    return wrap;
  }

  function enhance(list) {
    rowsOf(list).forEach(function (row) { row.appendChild(removeButton(list)); });
    var actions = document.createElement("p");
    actions.className = "row-actions";
    var add = document.createElement("button");
    add.type = "button";
    add.className = "button";
    add.setAttribute("data-row-add", "");
    add.textContent = list.getAttribute("data-row-add-label");
    actions.appendChild(add);
    list.parentNode.insertBefore(actions, list.nextSibling);
    list.rowsAddButton = add;
    add.addEventListener("click", function () { addRow(list); });
    list.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-row-remove]") : null;
      if (!button || !list.contains(button)) { return; }
      var row = button.closest("[data-row]");
      if (row && row.parentNode === list) { removeRow(list, row); }
    });
    updateAddButton(list);
    document.querySelectorAll("[data-rows-nojs='" + list.getAttribute("data-rows") + "']").forEach(function (el) {
      el.parentNode.removeChild(el);
    });
  }

  function init() {
    document.querySelectorAll("[data-rows]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
