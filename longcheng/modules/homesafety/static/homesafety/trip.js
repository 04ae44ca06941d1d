// The worker's phone shares its position while on the way: one POST at most every 20 seconds,
// only while the button is on; the answer (or the refusal) is shown in words under the button.
(function () {
  "use strict";
  var box = document.getElementById("share");
  if (!box) { return; }
  var button = document.getElementById("share-button");
  var status = document.getElementById("share-status");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  var watch = null;
  var lastSent = 0;
  var MIN_GAP_MS = 20000;

  function say(text) { status.textContent = text; }

  function send(position) {
    var now = Date.now();
    if (now - lastSent < MIN_GAP_MS) { return; }
    lastSent = now;
    var body = new URLSearchParams();
    body.set("lat", position.coords.latitude);
    body.set("lon", position.coords.longitude);
    if (position.coords.accuracy != null) { body.set("accuracy_m", Math.round(position.coords.accuracy)); }
    fetch(box.dataset.url, {method: "POST", body: body, credentials: "same-origin",
                            headers: {"X-CSRFToken": csrf ? csrf.value : ""}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        say(answer.data.message || "");
        if (!answer.ok) { stop(); }
      })
      .catch(function () { lastSent = 0; });
  }

  function stop() {
    if (watch !== null) { navigator.geolocation.clearWatch(watch); }
    watch = null;
    button.textContent = box.dataset.off;
  }

  button.addEventListener("click", function () {
    if (watch !== null) { stop(); return; }
    if (!("geolocation" in navigator)) { say(box.dataset.unsupported); return; }
    lastSent = 0;
    watch = navigator.geolocation.watchPosition(send, function () { say(box.dataset.denied); stop(); },
                                                {enableHighAccuracy: true, maximumAge: 10000, timeout: 30000});
    button.textContent = box.dataset.on;
  });
}());
