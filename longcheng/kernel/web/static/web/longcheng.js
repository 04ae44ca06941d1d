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
    /* <datalist data-url>: the place chooser holds the top of the tree; as one types, it asks the
       server for the places whose name contains the text (the whole tree is never sent). */
    document.querySelectorAll("datalist[data-url]").forEach(function (list) {
      var timer = null;
      document.querySelectorAll("input[list='" + list.id + "']").forEach(function (input) {
        input.addEventListener("input", function () {
          var text = input.value.split(/[,，、;；]/).pop().trim();
          if (!text || text.indexOf("(") >= 0) { return; }
          clearTimeout(timer);
          timer = setTimeout(function () {
            fetch(list.getAttribute("data-url") + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
              .then(function (r) { return r.ok ? r.json() : []; })
              .then(function (items) {
                list.replaceChildren.apply(list, items.map(function (item) {
                  var option = document.createElement("option");
                  option.value = item.label + " (" + item.code + ")";
                  return option;
                }));
              });
          }, 200);
        });
      });
    });
  });
})();
