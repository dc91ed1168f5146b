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
      syntaxHighlight: { activated: false },  // its colours on the dark example boxes fail WCAG contrast
      persistAuthorization: false,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
    // Swagger UI draws its server <select> without a label (axe: select-name); name it, also after re-renders.
    var label = node.getAttribute("data-servers-label") || "Server";
    function nameControls() {
      node.querySelectorAll(".servers select:not([aria-label])").forEach(function (el) {
        el.setAttribute("aria-label", label);
      });
    }
    new MutationObserver(nameControls).observe(node, { childList: true, subtree: true });
    nameControls();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
