/* Draws each kernel map (templates/web/_map.html) with Leaflet from the page's own static files.
   The features arrive as GeoJSON in a <script type="application/json">; a feature with a url opens it. */
(function () {
  "use strict";
  var CHANGZHOU = [31.78, 119.95];

  function radius(count) {
    return count ? 5 + Math.min(18, 3 * Math.sqrt(count)) : 6;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-features"));
    // Drawn once: a page may load this file twice, or call lcDrawMaps again after adding a map.
    if (!source || typeof L === "undefined" || el.getAttribute("data-drawn") !== null) { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.getAttribute("data-tiles") });
    if (el.getAttribute("data-tiles")) {
      L.tileLayer(el.getAttribute("data-tiles"), { maxZoom: 18, attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: radius(feature.properties.count), className: "map-" + feature.properties.tone });
      },
      style: function (feature) { return { className: "map-" + feature.properties.tone }; },
      onEachFeature: function (feature, shape) {
        var p = feature.properties;
        shape.bindTooltip(p.label + (p.count != null ? " · " + p.count : ""));
        if (p.url) { shape.on("click", function () { window.location.href = p.url; }); }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 }); } else { map.setView(CHANGZHOU, 10); }
    el.setAttribute("data-drawn", String(data.features.length));
  }

  function start() {
    var maps = document.querySelectorAll(".lc-map[data-features]");
    for (var i = 0; i < maps.length; i++) { draw(maps[i]); }
  }
  // For a page that puts a map in place itself (a pane fetched and inserted by a script).
  window.lcDrawMaps = start;
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
