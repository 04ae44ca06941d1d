/* The shell's few behaviours, from a static file: the Content-Security-Policy allows no inline
   script and no event-handler attributes (docs/security.md). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }
  ready(function () {
    /* <select data-autosubmit>: choosing submits its form (the language switcher). */
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    /* <form data-once="button-id">: a second click must not send a second request. */
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var b = document.getElementById(form.getAttribute("data-once"));
        if (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); }
      });
    });
  });
})();
