/* One Leaflet map, set up the same way for every map of the app (the pin picker in app.js, near me,
   coverage, delivery routes): tiles from data-tiles (or none: the page works without), attribution,
   no scroll-wheel zoom, motion off for prefers-reduced-motion, and the WGS-84 <-> display datum
   conversion (GCJ-02 when data-tiles-crs="gcj02"). Loaded on every page after coords.js. */
(function (root) {
  'use strict';

  var QINGDAO = [36.0671, 120.3826];

  // A map on el, or null when el already has one or Leaflet is missing (then el says so by a class).
  function create(el) {
    if (el.dataset.mapReady) return null;
    el.dataset.mapReady = '1';
    if (!root.L) { el.classList.add('map-unavailable'); return null; }
    var d = el.dataset;
    var C = root.HuhangCoords;
    var gcj = d.tilesCrs === 'gcj02' && !!C;
    var still = root.matchMedia && root.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var map = L.map(el, {
      attributionControl: !!d.attribution, scrollWheelZoom: false,
      zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still,
    });
    if (d.tiles) {
      L.tileLayer(d.tiles, {
        attribution: d.attribution || '',
        subdomains: d.tilesSubdomains || (d.tilesCrs === 'gcj02' ? '1234' : 'abc'),
        maxZoom: 18,
      }).addTo(map);
    } else {
      el.classList.add('map-no-tiles');
      if (d.attribution) map.attributionControl.addAttribution(d.attribution);
    }
    // Containers swapped in or revealed late report a zero size until laid out.
    setTimeout(function () { map.invalidateSize(); }, 0);
    return {
      map: map,
      toDisplay: function (lat, lon) { return gcj ? C.wgs84ToGcj02(lat, lon) : [lat, lon]; },
      toWgs: function (lat, lon) { return gcj ? C.gcj02ToWgs84(lat, lon) : [lat, lon]; },
    };
  }

  // data-center-lat/-lon of el as [lat, lon] (WGS-84), or Qingdao's centre.
  function centre(el) {
    var lat = parseFloat(el.dataset.centerLat), lon = parseFloat(el.dataset.centerLon);
    return isFinite(lat) && isFinite(lon) ? [lat, lon] : QINGDAO.slice();
  }

  root.HuhangMaps = { create: create, centre: centre, QINGDAO: QINGDAO };
})(window);
