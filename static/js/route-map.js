/* Delivery route map: the hub and the stops in visiting order, joined by a line. Stops come from the
   list items' data- attributes (no inline script under the CSP); the numbered list stays the full answer
   when Leaflet or the tiles are missing. A confirmed stop turns green when htmx swaps its card. */
(function () {
  'use strict';

  function colour(status) {
    return status === 'delivered' ? '#2e7d32' : (status === 'missed' ? '#b26a00' : '#1565c0');
  }

  function draw(el) {
    var d = el.dataset, map = el._routeMap, toDisplay = el._toDisplay;
    if (el._routeLayer) el._routeLayer.remove();
    var layer = L.layerGroup().addTo(map);
    var hub = toDisplay(parseFloat(d.hubLat), parseFloat(d.hubLon));
    var line = [hub];
    L.circleMarker(hub, { radius: 10, weight: 3, color: '#333', fillOpacity: 0.9 })
      .bindTooltip(window.HuhangMaps.textNode(d.hubLabel)).addTo(layer);  // the hub's name as text, never HTML
    document.querySelectorAll((d.stops || '#stops') + ' [data-seq]').forEach(function (item) {
      var lat = parseFloat(item.dataset.lat), lon = parseFloat(item.dataset.lon);
      if (!isFinite(lat) || !isFinite(lon)) return;
      var p = toDisplay(lat, lon);
      line.push(p);
      var label = document.createElement('a');
      label.href = '#' + item.id;
      label.textContent = item.dataset.label || '';
      L.circleMarker(p, { radius: 8, weight: 2, color: colour(item.dataset.status), fillOpacity: 0.7 })
        .bindPopup(label).addTo(layer);
    });
    line.push(hub);
    L.polyline(line, { weight: 3, opacity: 0.6, interactive: false }).addTo(layer);  // taps reach the markers under it
    el._routeLayer = layer;
    return line;
  }

  function init(el) {
    var made = window.HuhangMaps && window.HuhangMaps.create(el);
    if (!made) return;
    el._routeMap = made.map;
    el._toDisplay = made.toDisplay;
    var map = made.map;
    var line = draw(el);
    map.setView(line[0], 13);
    if (line.length > 2) map.fitBounds(L.latLngBounds(line), { padding: [20, 20], animate: false });
  }

  function start() { document.querySelectorAll('[data-route-map]').forEach(init); }
  document.addEventListener('htmx:afterSwap', function () {
    document.querySelectorAll('[data-route-map]').forEach(function (el) { if (el._routeMap) draw(el); });
  });
  if (document.readyState === 'complete') start();
  else document.addEventListener('DOMContentLoaded', start);
})();
