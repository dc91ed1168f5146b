/* "Near me" map: display only. Markers come from the result cards' data- attributes (data-near-marker,
   data-lat, data-lon: privacy-card points; data-num, data-label), so no inline script is needed under the
   CSP. Marker N carries the number of card N: tapping the marker brings its card into view and marks it;
   the card's number (a link to #near-map) shows its marker. Works without tiles (MAP_TILES empty, or tiles
   that do not load) and without Leaflet at all (the cards are the page; the map is extra). */
(function (root) {
  'use strict';

  function initMap(el) {
    var made = root.HuhangMaps && root.HuhangMaps.create(el);
    if (!made) return;
    var d = el.dataset, map = made.map, toDisplay = made.toDisplay;
    var c = root.HuhangMaps.centre(el);
    var center = toDisplay(c[0], c[1]);
    // A view first: Leaflet cannot add vector layers to a map without one.
    map.setView(center, parseInt(d.zoom, 10) || 13);
    var km = parseFloat(d.radiusKm);
    if (isFinite(km) && km > 0) {
      var circle = L.circle(center, { radius: km * 1000, weight: 1, fill: false, interactive: false }).addTo(map);
      map.fitBounds(circle.getBounds(), { animate: false });  // the first view: no zoom animation to wait for
    }
    // Where the distances are measured from (home or the phone's position): a plain dot, not a target.
    L.circleMarker(center, { radius: 6, weight: 3, color: '#fff', fillColor: '#1d4ed8', fillOpacity: 1,
                             interactive: false, className: 'near-home' }).addTo(map);
    el._nearMap = map;
    el._nearCenter = center;
    el._nearToDisplay = toDisplay;
    el._nearMarkers = {};
  }

  function currentMap() {
    var el = document.querySelector('[data-near-map]');
    return el && el._nearMap ? el : null;
  }

  // Only one card and one marker are "current" at a time.
  function markCurrent(card, marker) {
    document.querySelectorAll('.near-card.is-current, .map-num.is-current').forEach(function (x) {
      x.classList.remove('is-current');
    });
    if (card) card.classList.add('is-current');
    var icon = marker && marker.getElement();
    if (icon) icon.classList.add('is-current');
  }

  function numberIcon(num) {
    var span = document.createElement('span');
    span.className = 'num';
    span.textContent = num;  // text, never HTML
    return L.divIcon({ className: 'map-num', html: span, iconSize: [32, 32], iconAnchor: [16, 16] });
  }

  function addMarkers() {
    var el = currentMap();
    if (!el) return;
    var added = [];
    document.querySelectorAll('[data-near-marker]:not([data-marker-added])').forEach(function (card) {
      card.setAttribute('data-marker-added', '1');
      var lat = parseFloat(card.dataset.lat), lon = parseFloat(card.dataset.lon);
      if (!isFinite(lat) || !isFinite(lon)) return;
      var num = card.dataset.num;
      var marker = L.marker(el._nearToDisplay(lat, lon), {
        icon: numberIcon(num), title: card.dataset.label || '', keyboard: true, riseOnHover: true,
      }).addTo(el._nearMap);
      var icon = marker.getElement();
      if (icon) { icon.dataset.num = num; icon.dataset.needId = card.dataset.needId; }
      marker.on('click', function () {
        markCurrent(card, marker);
        card.scrollIntoView({ behavior: smooth(), block: 'center' });
        card.focus({ preventScroll: true });
      });
      el._nearMarkers[num] = marker;
      added.push(marker.getLatLng());
    });
    // The first results: zoom to them and home (not to the whole radius), so their numbers do not overlap.
    if (added.length && !el._nearFitted) {
      el._nearFitted = true;
      el._nearMap.fitBounds(L.latLngBounds(added.concat([el._nearCenter])),
                            { padding: [28, 28], maxZoom: 15, animate: false });
    }
  }

  function smooth() {
    return root.matchMedia && root.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
  }

  // The card's number: show its marker (centred, marked) and the map.
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('[data-show-marker]');
    var el = link && currentMap();
    var marker = el && el._nearMarkers[link.dataset.showMarker];
    if (!marker) return;  // no map (no Leaflet): the link just jumps to #near-map
    e.preventDefault();
    markCurrent(link.closest('.near-card'), marker);
    el._nearMap.setView(marker.getLatLng(), Math.max(el._nearMap.getZoom(), 14));
    el.scrollIntoView({ behavior: smooth(), block: 'center' });
  });

  function init(rootEl) {
    var scope = rootEl && rootEl.querySelectorAll ? rootEl : document;
    if (scope.matches && scope.matches('[data-near-map]')) initMap(scope);
    scope.querySelectorAll('[data-near-map]').forEach(initMap);
    addMarkers();
  }

  document.addEventListener('htmx:beforeCleanupElement', function (e) {
    var el = e.target;
    if (el && el._nearMap) { el._nearMap.remove(); el._nearMap = null; el._nearMarkers = {}; }
  });
  document.addEventListener('htmx:load', function (e) { init(e.target); });
  if (document.readyState === 'complete') init(document);
  else document.addEventListener('DOMContentLoaded', function () { init(document); });
})(window);
