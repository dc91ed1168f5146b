/* Huhang front-end behaviour. No inline handlers or eval: the CSP is script-src 'self'. */
(function () {
  'use strict';

  function $(sel) { return sel ? document.querySelector(sel) : null; }

  function setValue(input, value) {
    if (!input) return;
    input.value = value;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // ---- Map pin (Leaflet is only loaded on pages that include it) ----

  function initMap(el) {
    var made = window.HuhangMaps && window.HuhangMaps.create(el);
    if (!made) return;
    var d = el.dataset, map = made.map, toDisplay = made.toDisplay, toWgs = made.toWgs;
    var latIn = $(d.latInput), lonIn = $(d.lonInput), srcIn = $(d.sourceInput);

    var marker = null;
    var fromMap = false;

    function place(lat, lon) {
      var p = toDisplay(lat, lon);
      if (marker) { marker.setLatLng(p); return; }
      marker = L.marker(p, { draggable: true, keyboard: true }).addTo(map);
      marker.on('dragend', function () { pick(marker.getLatLng()); });
    }

    function pick(latlng) {
      var w = toWgs(latlng.lat, latlng.lng);
      if (marker) marker.setLatLng(latlng); else place(w[0], w[1]);
      fromMap = true;
      setValue(latIn, w[0].toFixed(6));
      setValue(lonIn, w[1].toFixed(6));
      setValue(srcIn, 'pin');
      fromMap = false;
    }

    function current() {
      var lat = latIn && parseFloat(latIn.value), lon = lonIn && parseFloat(lonIn.value);
      if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
      return [lat, lon];
    }

    function syncFromInputs() {
      if (fromMap) return;
      var c = current();
      if (!c) return;
      place(c[0], c[1]);
      map.panTo(toDisplay(c[0], c[1]));
    }

    var start = current();
    var zoom = parseInt(d.zoom, 10) || 12;
    if (start) {
      place(start[0], start[1]);
      map.setView(toDisplay(start[0], start[1]), Math.max(zoom, 14));
    } else {
      var c = window.HuhangMaps.centre(el);
      map.setView(toDisplay(c[0], c[1]), zoom);
    }

    map.on('click', function (e) { pick(e.latlng); });
    [latIn, lonIn].forEach(function (i) { if (i) i.addEventListener('change', syncFromInputs); });
    el._huhangMap = map;
  }

  function initMaps(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches('.map[data-map-pin]')) initMap(scope);
    scope.querySelectorAll('.map[data-map-pin]').forEach(initMap);
  }

  document.addEventListener('htmx:beforeCleanupElement', function (e) {
    var el = e.target;
    if (el && el._huhangMap) {
      el._huhangMap.remove();
      el._huhangMap = null;
    }
  });

  // ---- Geolocation button ----

  function geolocate(btn) {
    var d = btn.dataset;
    var status = $(d.status);
    var say = function (msg, state) {
      if (!status) return;
      status.textContent = msg || '';
      status.setAttribute('data-state', state);
      if (!status.hasAttribute('aria-live')) status.setAttribute('aria-live', 'polite');
    };
    if (!navigator.geolocation) { say(d.msgError, 'error'); return; }
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    say(d.msgBusy, 'busy');
    var done = function () { btn.disabled = false; btn.removeAttribute('aria-busy'); };
    navigator.geolocation.getCurrentPosition(function (pos) {
      done();
      var c = pos.coords;
      setValue($(d.sourceInput), 'gps');
      setValue($(d.latInput), c.latitude.toFixed(6));
      setValue($(d.lonInput), c.longitude.toFixed(6));
      // The change events above move any map pin bound to these inputs.
      say((d.msgOk || '').replace('{accuracy}', String(Math.round(c.accuracy))), 'ok');
    }, function (err) {
      done();
      say(err && err.code === 1 ? d.msgDenied : d.msgError, 'error');
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('[data-geolocate]');
    if (!btn) return;
    e.preventDefault();
    geolocate(btn);
  });

  // ---- Confirmation before submitting ----

  // Capture phase so a cancelled submit never reaches htmx's own listener on the form.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var by = e.submitter && e.submitter.closest('[data-confirm]');
    var msg = (by && by.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // Choosing a district or town by hand means the home location comes from the division, not GPS/pin.
  document.addEventListener('change', function (e) {
    var sel = e.target.closest && e.target.closest('[data-source-division]');
    if (!sel) return;
    var src = $(sel.getAttribute('data-source-division'));
    if (src) src.value = 'division';
  });

  // ---- Start-up, and again for content htmx swaps in ----

  document.addEventListener('htmx:load', function (e) { initMaps(e.target); });
  // Deferred scripts run while readyState is "interactive": wait so Leaflet (loaded after us) is there.
  if (document.readyState === 'complete') {
    initMaps(document);
  } else {
    document.addEventListener('DOMContentLoaded', function () { initMaps(document); });
  }
})();
