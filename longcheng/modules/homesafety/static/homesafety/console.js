// The console updates itself from the server's event stream (SSE), with no framework and no network
// beyond this server:
// - "alarm" (PostgreSQL): one alarm changed; its list row comes with the event and is put in place
//   (or taken away when the alarm closed), so hundreds of open consoles cost no extra requests;
// - "changed" (SQLite, a reconnect, a console that fell behind): the list is fetched again.
// The detail pane of the chosen alarm is fetched again when that alarm's status or escalation level
// changes or it closes (a repeat only counts up in its list row: every console shows the top alarm
// by default, and 200 consoles must not fetch its detail at each press of an SOS button), unless
// the operator is typing in it: then a notice says so and the typed text stays.
(function () {
  var root = document.querySelector(".console");
  if (!root || !window.EventSource) return;
  var live = document.getElementById("live");
  var version = root.dataset.version;
  var selected = root.dataset.selected;
  var listBusy = false, listAgain = false, detailBusy = false, detailAgain = false, typing = false;

  function refreshList() {
    if (listBusy) { listAgain = true; return; }
    listBusy = true;
    var url = root.dataset.list + (selected ? "?alarm=" + selected : "");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html) document.getElementById("list-pane").innerHTML = html;
    }).finally(function () {
      listBusy = false;
      if (listAgain) { listAgain = false; refreshList(); }
    });
  }

  function refreshDetail() {
    if (!selected) return;
    if (typing) { document.getElementById("detail-stale").hidden = false; return; }
    if (detailBusy) { detailAgain = true; return; }
    detailBusy = true;
    fetch(root.dataset.detail + "?alarm=" + selected, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html && !typing) {
        document.getElementById("detail-pane").innerHTML = html;
        // Scripts inserted with the pane do not run: the kernel's map script draws its map.
        if (window.lcDrawMaps) window.lcDrawMaps();
      }
    }).finally(function () {
      detailBusy = false;
      if (detailAgain) { detailAgain = false; refreshDetail(); }
    });
  }

  document.getElementById("detail-pane").addEventListener("input", function () { typing = true; });

  // Puts the pushed row in its place; says whether the alarm's status or level moved (or is unknown).
  function placeRow(alarm) {
    var list = document.getElementById("alarm-list");
    if (!list) { refreshList(); return true; }
    var old = list.querySelector('li[data-alarm="' + alarm.id + '"]');
    if (!alarm.open) {
      if (old) old.remove();
      if (!list.querySelector("li[data-alarm]")) refreshList();  // shows "no open alarms"
      return true;
    }
    var holder = document.createElement("ul");
    holder.innerHTML = alarm.html;
    var row = holder.firstElementChild;
    if (!row) { refreshList(); return true; }
    var moved = !old || old.dataset.status !== row.dataset.status || old.dataset.level !== row.dataset.level;
    if (String(alarm.id) === String(selected)) row.classList.add("selected");
    if (old) old.remove();
    var empty = document.getElementById("no-alarms");
    if (empty) empty.remove();
    var rows = list.querySelectorAll("li[data-alarm]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].dataset.order > alarm.order) { list.insertBefore(row, rows[i]); return moved; }
    }
    list.appendChild(row);
    return moved;
  }

  var source = new EventSource(root.dataset.stream);
  source.addEventListener("open", function () { live.classList.add("on"); });
  source.addEventListener("error", function () { live.classList.remove("on"); });
  source.addEventListener("changed", function (e) {
    var data = JSON.parse(e.data);
    if (data.version !== undefined && data.version === version) return;
    if (data.version !== undefined) { version = data.version; refreshList(); refreshDetail(); return; }
    // Told to reload (the server lost its notifications for a moment): every console at once would
    // be a burst of requests, so each waits a moment of its own.
    setTimeout(function () { refreshList(); refreshDetail(); }, Math.random() * 3000);
  });
  source.addEventListener("alarm", function (e) {
    var alarm = JSON.parse(e.data);
    var moved = placeRow(alarm);
    if (moved && String(alarm.id) === String(selected)) refreshDetail();
  });
})();
