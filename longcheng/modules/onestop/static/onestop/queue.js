/* The queue refreshes itself every 30 s (a static file: the CSP allows no inline script). */
(function () {
  var box = document.getElementById("queue-table");
  function refresh() {
    if (document.hidden || box.contains(document.activeElement) || box.querySelector("details[open]")) { return; }
    // The queue's own address: after a refused step the page is shown at the step's (POST-only) one.
    var url = new URL(box.getAttribute("data-url") || window.location.href, window.location.href);
    url.searchParams.set("partial", "1");
    fetch(url.toString(), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && !box.querySelector("details[open]")) { box.innerHTML = html; } })
      .catch(function () {});
  }
  window.setInterval(refresh, 30000);
})();
