// Renders /api/docs from the OpenAPI document with the vendored Swagger UI (CSP: no inline script).
(function () {
  "use strict";
  function start() {
    var node = document.getElementById("swagger-ui");
    if (!node || typeof window.SwaggerUIBundle !== "function") { return; }
    window.ui = window.SwaggerUIBundle({
      url: node.getAttribute("data-spec-url"),
      domNode: node,
      deepLinking: false,
      validatorUrl: null,        // never call an outside validator
      tryItOutEnabled: false,
      persistAuthorization: false,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
