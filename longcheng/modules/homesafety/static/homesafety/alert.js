// A new critical alarm on the console sounds and flashes the window's title, so an operator who is
// looking at another window (or away from the screen) notices it. The sound is made here with the
// Web Audio API (no sound file to download); an operator who muted it (kept on the server, per
// operator: the console's data-muted) gets the title flash alone.
//
// "New" is a row of severity 1 that was not on the list when the page was drawn and has not been
// seen since: whether it came by the live stream or by a refetched list, the list pane changes, so
// one observer of that pane catches both. Browsers let a page sound only after a click or a key on
// it: until then a notice says so, and the first click or key unlocks the sound.
(function () {
  var root = document.querySelector(".console");
  var pane = document.getElementById("list-pane");
  if (!root || !pane) return;
  var muted = root.dataset.muted === "1";
  var title = document.title;
  var known = {};
  var audio = null, flashing = null;
  var locked = document.getElementById("sound-locked");
  root.dataset.alerts = "0";
  root.dataset.sounded = "0";

  function rows() { return pane.querySelectorAll("li[data-alarm]"); }
  Array.prototype.forEach.call(rows(), function (li) { known[li.dataset.alarm] = true; });

  function context() {
    var Audio = window.AudioContext || window.webkitAudioContext;
    if (!Audio) return null;
    if (!audio) audio = new Audio();
    return audio;
  }

  function unlock() {
    var ctx = context();
    if (ctx && ctx.state === "suspended") ctx.resume();
    if (locked) locked.hidden = true;
  }

  // Three short two-tone pulses, loud enough for a control room, never a continuous tone.
  function sound() {
    var ctx = context();
    if (!ctx) return false;
    if (ctx.state === "suspended") ctx.resume();
    var t = ctx.currentTime + 0.05;
    for (var i = 0; i < 3; i++) {
      [880, 660].forEach(function (hz, k) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        var at = t + i * 0.6 + k * 0.22;
        osc.type = "square";
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(at);
        osc.stop(at + 0.21);
      });
    }
    return true;
  }

  function stopFlash() {
    if (flashing === null) return;
    clearInterval(flashing);
    flashing = null;
    document.title = title;
  }

  // Until the operator does something on the page (a key, a click): the window's title alternates.
  function flash(name) {
    stopFlash();
    var text = root.dataset.alertTitle + (name ? " · " + name : "");
    var on = true;
    document.title = text;
    flashing = setInterval(function () {
      on = !on;
      document.title = on ? text : title;
    }, 900);
  }

  function alertFor(li) {
    root.dataset.alerts = String(Number(root.dataset.alerts) + 1);
    var name = li.querySelector(".name");
    flash(name ? name.textContent : "");
    if (!muted && sound()) root.dataset.sounded = String(Number(root.dataset.sounded) + 1);
  }

  new MutationObserver(function () {
    var fresh = null;
    Array.prototype.forEach.call(rows(), function (li) {
      if (known[li.dataset.alarm]) return;
      known[li.dataset.alarm] = true;
      if (li.classList.contains("sev-1") && li.dataset.status === "raised" && !fresh) fresh = li;
    });
    if (fresh) alertFor(fresh);
  }).observe(pane, { childList: true, subtree: true });

  ["keydown", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function () { stopFlash(); if (!muted) unlock(); });
  });
  if (!muted && locked) {
    var ctx = context();
    locked.hidden = !ctx || ctx.state !== "suspended";
  }
})();
