// The console updates itself: the server pushes "changed" events (SSE) and the list is re-fetched.
// No framework, no network beyond this server.
(function () {
  var root = document.querySelector(".console");
  if (!root || !window.EventSource) return;
  var live = document.getElementById("live");
  var version = root.dataset.version;
  var selected = root.dataset.selected;
  function refresh() {
    var url = root.dataset.list + (selected ? "?alarm=" + selected : "");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html) document.getElementById("list-pane").innerHTML = html;
    });
  }
  var source = new EventSource(root.dataset.stream);
  source.addEventListener("open", function () { live.classList.add("on"); });
  source.addEventListener("error", function () { live.classList.remove("on"); });
  source.addEventListener("changed", function (e) {
    var next = JSON.parse(e.data);
    if (next !== version) { version = next; refresh(); }
  });
})();
