/* "Near me" map: display only. Markers come from the result items' data- attributes
   (data-near-marker, data-lat, data-lon, data-label: privacy-card points), so no inline script is
   needed under the CSP. Works without tiles (MAP_TILES empty, or tiles that do not load) and without
   Leaflet at all (the list is the page; the map is extra). */
(function () {
  'use strict';

  function initMap(el) {
    var made = window.HuhangMaps && window.HuhangMaps.create(el);
    if (!made) return;
    var d = el.dataset, map = made.map, toDisplay = made.toDisplay;
    var c = window.HuhangMaps.centre(el);
    var center = toDisplay(c[0], c[1]);
    // A view first: Leaflet cannot add vector layers to a map without one.
    map.setView(center, parseInt(d.zoom, 10) || 13);
    var km = parseFloat(d.radiusKm);
    if (isFinite(km) && km > 0) {
      var circle = L.circle(center, { radius: km * 1000, weight: 1, fill: false, interactive: false }).addTo(map);
      map.fitBounds(circle.getBounds());
    }
    el._nearMap = map;
    el._nearToDisplay = toDisplay;
  }

  function currentMap() {
    var el = document.querySelector('[data-near-map]');
    return el && el._nearMap ? el : null;
  }

  function addMarkers() {
    var el = currentMap();
    if (!el) return;
    document.querySelectorAll('[data-near-marker]:not([data-marker-added])').forEach(function (item) {
      item.setAttribute('data-marker-added', '1');
      var lat = parseFloat(item.dataset.lat), lon = parseFloat(item.dataset.lon);
      if (!isFinite(lat) || !isFinite(lon)) return;
      var label = document.createElement('a');
      label.href = '#' + item.id;
      label.textContent = item.dataset.label || '';
      L.circleMarker(el._nearToDisplay(lat, lon), { radius: 9, weight: 2, fillOpacity: 0.6 })
        .bindPopup(label).addTo(el._nearMap);
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches('[data-near-map]')) initMap(scope);
    scope.querySelectorAll('[data-near-map]').forEach(initMap);
    addMarkers();
  }

  document.addEventListener('htmx:beforeCleanupElement', function (e) {
    var el = e.target;
    if (el && el._nearMap) { el._nearMap.remove(); el._nearMap = null; }
  });
  document.addEventListener('htmx:load', function (e) { init(e.target); });
  if (document.readyState === 'complete') init(document);
  else document.addEventListener('DOMContentLoaded', function () { init(document); });
})();
