/* One Leaflet map, set up the same way for every map of the app (the pin picker in app.js, near me,
   coverage, delivery routes): tiles from data-tiles (or none: the page works without), attribution
   without Leaflet's prefix, zoom buttons in the page's language, no scroll-wheel zoom, motion off for
   prefers-reduced-motion, and the WGS-84 <-> display datum conversion (GCJ-02 when
   data-tiles-crs="gcj02"). Loaded on every page after coords.js. */
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
      attributionControl: !!d.attribution, zoomControl: false, scrollWheelZoom: false,
      // Not focusable itself: a focusable box holding focusable markers and buttons is "nested interactive"
      // (axe); keyboard users reach the zoom buttons and the markers, and every map has its list beside it.
      keyboard: false,
      zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still,
    });
    // The zoom buttons' titles (also their accessible names) in the page's language, from <body data-map-*>.
    var words = document.body.dataset;
    L.control.zoom({
      zoomInTitle: words.mapZoomIn || 'Zoom in', zoomOutTitle: words.mapZoomOut || 'Zoom out',
    }).addTo(map);
    // Only the tile provider's attribution: no "Leaflet" link and flag.
    if (map.attributionControl) map.attributionControl.setPrefix(false);
    // Leaflet shows an attribution as HTML: hand it the text escaped, so it stays plain text.
    var attribution = escapeText(d.attribution);
    if (d.tiles) {
      L.tileLayer(d.tiles, {
        attribution: attribution,
        subdomains: d.tilesSubdomains || (d.tilesCrs === 'gcj02' ? '1234' : 'abc'),
        maxZoom: 18,
      }).addTo(map);
    } else {
      el.classList.add('map-no-tiles');
      if (attribution) map.attributionControl.addAttribution(attribution);
    }
    // Containers swapped in or revealed late report a zero size until laid out.
    setTimeout(function () { map.invalidateSize(); }, 0);
    return {
      map: map,
      toDisplay: function (lat, lon) { return gcj ? C.wgs84ToGcj02(lat, lon) : [lat, lon]; },
      toWgs: function (lat, lon) { return gcj ? C.gcj02ToWgs84(lat, lon) : [lat, lon]; },
    };
  }

  // Server text for a tooltip or popup: an element holding it as text. Leaflet inserts a string as HTML,
  // so a name like "<img onerror=...>" would become markup; a node is shown as it is.
  function textNode(text) {
    var span = document.createElement('span');
    span.textContent = text == null ? '' : String(text);
    return span;
  }

  // Text for the few Leaflet APIs that only take HTML strings (the attribution), with markup escaped.
  function escapeText(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // data-center-lat/-lon of el as [lat, lon] (WGS-84), or Qingdao's centre.
  function centre(el) {
    var lat = parseFloat(el.dataset.centerLat), lon = parseFloat(el.dataset.centerLon);
    return isFinite(lat) && isFinite(lon) ? [lat, lon] : QINGDAO.slice();
  }

  root.HuhangMaps = { create: create, centre: centre, textNode: textNode, QINGDAO: QINGDAO };
})(window);
