// Fills the check-in form with the phone's position before it is sent; the server decides whether the
// position lies inside the zone. Without a position the form is sent empty and refused with a reason.
(function () {
  var form = document.querySelector("form[data-geolocate]");
  if (!form || !navigator.geolocation) { return; }
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) { return; }
    event.preventDefault();
    var send = function () { sending = true; form.submit(); };
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
      send();
    }, send, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
  });
})();
