// Start Swagger UI on the API reference page with the document named in data-spec-url (no inline script: the CSP forbids it).
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({ url: root.getAttribute("data-spec-url"), dom_id: "#swagger-ui", deepLinking: true });
})();
