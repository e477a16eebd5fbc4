/* Autocomplete for inputs tied to a <datalist data-suggest-url>: fetch suggestions as the user types. */
(function () {
  "use strict";
  var timers = new WeakMap();
  function fill(list, values) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      list.appendChild(option);
    });
  }
  function lookup(input, list) {
    var q = input.value.trim();
    if (q.length < 2) { fill(list, []); return; }
    var url = list.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (values) { if (input.value.trim() === q) { fill(list, values); } })
      .catch(function () {});
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.getAttribute || !input.getAttribute("list")) { return; }
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !list.hasAttribute("data-suggest-url")) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { lookup(input, list); }, 150));
  });
})();
