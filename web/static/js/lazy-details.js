/* Details whose content is fetched when first opened: <details data-src="URL" data-error="message"> with a
   [data-slot] child. The server answers the URL with an HTML fragment when asked with the X-Fragment header; without
   JavaScript the slot's link opens the same content as a page of its own. */
(function () {
  "use strict";

  function load(details) {
    var slot = details.querySelector("[data-slot]");
    if (!slot || details.getAttribute("data-loaded") === "1") { return; }
    details.setAttribute("data-loaded", "1");
    slot.setAttribute("aria-busy", "true");
    fetch(details.getAttribute("data-src"), { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) { slot.innerHTML = html; })
      .catch(function () {
        details.removeAttribute("data-loaded");
        var message = document.createElement("p");
        message.className = "error";
        message.setAttribute("role", "alert");
        message.textContent = details.getAttribute("data-error") || "";
        slot.appendChild(message);
      })
      .finally(function () { slot.removeAttribute("aria-busy"); });
  }

  document.querySelectorAll("details[data-src]").forEach(function (details) {
    details.addEventListener("toggle", function () { if (details.open) { load(details); } });
    if (details.open) { load(details); }
  });
}());
