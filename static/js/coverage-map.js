/* Coverage map: one circle per town with uncovered needs, placed at the mean privacy-card point of
   those needs, over the district boundaries (thin lines from data-districts, a GeoJSON URL; no tiles needed). The figures come from the table rows' data- attributes (no inline script: the CSP is
   script-src 'self'); the table stays the full answer when Leaflet or the tiles are missing. */
(function () {
  'use strict';

  function init(el) {
    var made = window.HuhangMaps && window.HuhangMaps.create(el);
    if (!made) return;
    var d = el.dataset, map = made.map, toDisplay = made.toDisplay;
    var table = d.rows ? document.querySelector(d.rows) : null;
    var rows = table ? table.querySelectorAll('tr[data-lat][data-lon]') : [];
    if (d.districts) districts(map, d.districts, toDisplay);
    var points = [];
    var max = 1;
    rows.forEach(function (tr) { max = Math.max(max, parseInt(tr.dataset.uncovered, 10) || 1); });
    rows.forEach(function (tr) {
      var lat = parseFloat(tr.dataset.lat), lon = parseFloat(tr.dataset.lon);
      if (!isFinite(lat) || !isFinite(lon)) return;
      var n = parseInt(tr.dataset.uncovered, 10) || 1;
      var p = toDisplay(lat, lon);
      points.push(p);
      L.circleMarker(p, {
        radius: 6 + 14 * Math.sqrt(n / max), weight: 2, color: '#b45309', fillColor: '#f59e0b', fillOpacity: 0.55,
      }).bindTooltip(window.HuhangMaps.textNode(tr.dataset.label)).addTo(map);  // text, never HTML
    });
    if (points.length === 1) map.setView(points[0], 12);
    else if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 13, animate: false });
    else map.setView(toDisplay(window.HuhangMaps.QINGDAO[0], window.HuhangMaps.QINGDAO[1]), 9);
    el._huhangMap = map;
  }

  // The district boundaries, thin lines under the circles (they arrive after them: sent to the back), not
  // clickable. In the overlay pane, whose SVG leaflet.css frees from the page's img/svg max-width.
  function districts(map, url, toDisplay) {
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      map._huhangDistricts = L.geoJSON(data, {
        interactive: false,
        style: function () {
          return { className: 'district-boundary', color: '#475569', weight: 1, opacity: 0.8,
                   fillColor: '#e2e8f0', fillOpacity: 0.25 };
        },
        coordsToLatLng: function (c) { return L.latLng(toDisplay(c[1], c[0])); },
      }).addTo(map).bringToBack();
    }).catch(function () { /* the circles and the table still answer */ });
  }

  function start() { document.querySelectorAll('.map[data-coverage-map]').forEach(init); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
