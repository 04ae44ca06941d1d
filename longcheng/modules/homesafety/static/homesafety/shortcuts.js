// Keyboard shortcuts of the alarm console, for an operator on a night shift:
// a = acknowledge, d = dispatch (to the person chosen in the list), n = next alarm in the list.
// Ignored while typing in a field or with a modifier key held, so notes and comments stay typeable.
(function () {
  var root = document.querySelector(".console");
  if (!root) return;

  function typingIn(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function click(id) {
    var button = document.getElementById(id);
    if (button) button.click();
    return !!button;
  }

  function next() {
    var rows = document.querySelectorAll("#alarm-list li[data-alarm]");
    if (!rows.length) return false;
    var at = -1;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].classList.contains("selected")) { at = i; break; }
    }
    var link = rows[(at + 1) % rows.length].querySelector("a");
    if (link) link.click();
    return !!link;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    var done = false;
    if (e.key === "a") done = click("ack");
    else if (e.key === "d") done = click("dispatch");
    else if (e.key === "n") done = next();
    if (done) e.preventDefault();
  });
})();
