/* The cost sheet's totals, recomputed in the browser as the employer types (progressive enhancement).
   The server renders the figures first (web/services/cost_sheets.py) and computes them again on saving: that stays
   what counts. This script repeats the same sums so the employer sees them change: a month counts 52/12 weeks; the
   wage per hour times the place's hours per week is a weekly cost; mentor hours times the hourly cost is a weekly
   cost; a cost line counts only when it has a description. Amounts accept a decimal comma or point, like the server
   (web/formatting.py parse_decimal). Markup: templates/employer/_sheet_totals.html. */
(function () {
  "use strict";

  var WEEKS_PER_MONTH = 52 / 12;
  var NUMBER = /^[+-]?[\d.,\s\u00a0\u202f']+$/;

  // "4,50", "4.50", "1.234,50", "1,234.50", "1 234,5" -> 4.5 ...; "" -> null; anything else -> NaN
  function parseAmount(text) {
    var cleaned = String(text || "").replace("€", "").trim();
    if (!cleaned) { return null; }
    if (!NUMBER.test(cleaned)) { return NaN; }
    cleaned = cleaned.replace(/[\s\u00a0\u202f']/g, "");
    var comma = cleaned.lastIndexOf(","), point = cleaned.lastIndexOf(".");
    if (comma >= 0 && point >= 0) {
      var mark = comma > point ? "," : ".";
      var thousands = mark === "," ? "." : ",";
      cleaned = cleaned.split(thousands).join("").replace(mark, ".");
    } else if (cleaned.split(",").length > 2 || cleaned.split(".").length > 2) {
      cleaned = cleaned.replace(/[.,]/g, "");
    } else {
      cleaned = cleaned.replace(",", ".");
    }
    if (!/^[+-]?\d*\.?\d*$/.test(cleaned) || !/\d/.test(cleaned)) { return NaN; }
    return parseFloat(cleaned);
  }

  function value(form, name) {
    var el = form.elements.namedItem(name);
    return el ? el.value : "";
  }

  function costItems(form, hours) {
    var items = [], unreadable = false;
    function amount(name) {
      var parsed = parseAmount(value(form, name));
      if (parsed !== null && isNaN(parsed)) { unreadable = true; return null; }
      return parsed;
    }
    var mode = value(form, "wage_mode");
    var wage = amount("wage_amount");
    if (mode === "hour" && wage !== null && hours) {
      items.push({ payer: value(form, "wage_payer") || "stage_employer", amount: wage * hours, period: "week" });
    } else if (mode === "month" && wage !== null) {
      items.push({ payer: value(form, "wage_payer") || "stage_employer", amount: wage, period: "month" });
    }
    var mentorHours = amount("mentor_hours_per_week"), mentorCost = amount("mentor_hourly_cost");
    if (mentorHours && mentorCost !== null) {
      items.push({ payer: value(form, "mentor_payer") || "stage_employer", amount: mentorHours * mentorCost, period: "week" });
    }
    form.querySelectorAll("[data-row]").forEach(function (row) {
      var label = row.querySelector("[name$='-label']");
      var amountField = row.querySelector("[name$='-amount']");
      if (!label || !amountField || !label.value.trim()) { return; }
      var parsed = parseAmount(amountField.value);
      if (parsed !== null && isNaN(parsed)) { unreadable = true; return; }
      var period = row.querySelector("[name$='-period']"), payer = row.querySelector("[name$='-payer']");
      items.push({ payer: payer ? payer.value : "stage_employer", amount: parsed || 0, period: period ? period.value : "once" });
    });
    return { items: items, unreadable: unreadable };
  }

  function total(items, weeks, onlyPayer) {
    var sum = { month: 0, once: 0, stage: weeks ? 0 : null };
    items.forEach(function (item) {
      if (onlyPayer && item.payer !== onlyPayer) { return; }
      if (item.period === "once") {
        sum.once += item.amount;
        if (sum.stage !== null) { sum.stage += item.amount; }
      } else if (item.period === "week") {
        sum.month += item.amount * WEEKS_PER_MONTH;
        if (sum.stage !== null) { sum.stage += item.amount * weeks; }
      } else if (item.period === "month") {
        sum.month += item.amount;
        if (sum.stage !== null) { sum.stage += item.amount * weeks / WEEKS_PER_MONTH; }
      }
    });
    return sum;
  }

  function enhance(box) {
    var form = box.closest("form");
    if (!form) { return; }
    var hours = parseFloat(box.getAttribute("data-hours")) || 0;
    var weeks = parseFloat(box.getAttribute("data-weeks")) || 0;
    var money = new Intl.NumberFormat(box.getAttribute("data-locale") || "nl-BE", { style: "currency", currency: "EUR" });
    function show(key, amount) {
      var cell = box.querySelector("[data-total='" + key + "']");
      if (cell) { cell.textContent = amount === null ? "—" : money.format(Math.round(amount * 100) / 100); }
    }
    function update() {
      var found = costItems(form, hours);
      var mine = total(found.items, weeks, "stage_employer"), all = total(found.items, weeks, null);
      show("mine-month", mine.month); show("mine-once", mine.once); show("mine-stage", mine.stage);
      show("all-month", all.month); show("all-once", all.once); show("all-stage", all.stage);
      box.querySelector("[data-totals-unreadable]").hidden = !found.unreadable;
      var note = box.querySelector("[data-totals-note]"), live = box.querySelector("[data-totals-live-note]");
      if (note && live) { note.textContent = live.textContent; }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("click", function (event) {  // rows.js adds and removes cost rows
      if (event.target.closest && event.target.closest("[data-row-add], [data-row-remove]")) { window.setTimeout(update, 0); }
    });
    box.setAttribute("data-live", "1");
    update();
  }

  function init() {
    document.querySelectorAll("[data-sheet-totals]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
