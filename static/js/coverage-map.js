/* Coverage map: one circle per town with uncovered needs, placed at the mean privacy-card point of
   those needs. The figures come from the table rows' data- attributes (no inline script: the CSP is
   script-src 'self'); the table stays the full answer when Leaflet or the tiles are missing. */
(function () {
  'use strict';

  var QINGDAO = [36.0671, 120.3826];

  function init(el) {
    if (el.dataset.mapReady) return;
    el.dataset.mapReady = '1';
    if (!window.L) { el.classList.add('map-unavailable'); return; }
    var d = el.dataset;
    var C = window.HuhangCoords;
    var gcj = d.tilesCrs === 'gcj02' && C;
    var toDisplay = function (lat, lon) { return gcj ? C.wgs84ToGcj02(lat, lon) : [lat, lon]; };
    var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var map = L.map(el, {
      attributionControl: !!d.attribution, scrollWheelZoom: false,
      zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still,
    });
    if (d.tiles) {
      L.tileLayer(d.tiles, {
        attribution: d.attribution || '',
        subdomains: d.tilesSubdomains || (gcj ? '1234' : 'abc'),
        maxZoom: 18,
      }).addTo(map);
    } else {
      el.classList.add('map-no-tiles');
      if (d.attribution) map.attributionControl.addAttribution(d.attribution);
    }

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
    else map.setView(toDisplay(QINGDAO[0], QINGDAO[1]), 9);
    el._huhangMap = map;
    setTimeout(function () { map.invalidateSize(); }, 0);
  }

  function start() { document.querySelectorAll('.map[data-coverage-map]').forEach(init); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
