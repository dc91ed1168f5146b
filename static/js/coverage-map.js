/* Coverage map: one circle per town with uncovered needs, placed at the mean privacy-card point of
   those needs. The figures come from the table rows' data- attributes (no inline script: the CSP is
   script-src 'self'); the table stays the full answer when Leaflet or the tiles are missing. */
(function () {
  'use strict';

  function init(el) {
    var made = window.HuhangMaps && window.HuhangMaps.create(el);
    if (!made) return;
    var d = el.dataset, map = made.map, toDisplay = made.toDisplay;
    var table = d.rows ? document.querySelector(d.rows) : null;
    var rows = table ? table.querySelectorAll('tr[data-lat][data-lon]') : [];
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
      }).bindTooltip(tr.dataset.label || '').addTo(map);
    });
    if (points.length === 1) map.setView(points[0], 12);
    else if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 13 });
    else map.setView(toDisplay(window.HuhangMaps.QINGDAO[0], window.HuhangMaps.QINGDAO[1]), 9);
    el._huhangMap = map;
  }

  function start() { document.querySelectorAll('.map[data-coverage-map]').forEach(init); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
