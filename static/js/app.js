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
      var title = document.body.dataset.mapPin || '';
      marker = L.marker(p, { draggable: true, keyboard: true, alt: title, title: title }).addTo(map);
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
      if (!c) {
        // Cleared inputs (e.g. the profile's district chosen instead) leave no pin behind.
        if (marker && latIn && lonIn && !latIn.value && !lonIn.value) { marker.remove(); marker = null; }
        return;
      }
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

  // ---- Confirmation before submitting: the styled <dialog id="confirm-dialog"> in base.html ----

  function askToConfirm(form, submitter, el) {
    var dlg = document.getElementById('confirm-dialog');
    var d = el.dataset;
    if (!dlg || typeof dlg.showModal !== 'function') return window.confirm(d.confirm);
    dlg.querySelector('[data-confirm-title]').textContent = d.confirmTitle || dlg.dataset.defaultTitle;
    dlg.querySelector('[data-confirm-text]').textContent = d.confirm;
    dlg.querySelector('[data-confirm-ok]').textContent = d.confirmOk || dlg.dataset.defaultOk;
    dlg.returnValue = '';
    dlg.addEventListener('close', function onClose() {
      dlg.removeEventListener('close', onClose);
      if (dlg.returnValue !== 'ok') return;
      form._huhangConfirmed = true;
      if (submitter && submitter.form === form) form.requestSubmit(submitter); else form.requestSubmit();
    });
    dlg.showModal();
    return false;
  }

  // Capture phase so a held-back submit never reaches htmx's own listener on the form.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form._huhangConfirmed) { form._huhangConfirmed = false; return; }
    var by = e.submitter && e.submitter.closest('[data-confirm]');
    var el = by || (form.hasAttribute('data-confirm') ? form : null);
    if (!el) return;
    if (!askToConfirm(form, e.submitter, el)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // A <details data-remember="key"> (the filter sheet) opens as the user left it last time.
  function rememberSheets(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('details[data-remember]').forEach(function (el) {
      var key = 'huhang.sheet.' + el.dataset.remember;
      try {
        var saved = window.localStorage.getItem(key);
        if (saved !== null) el.open = saved === 'open';
        el.addEventListener('toggle', function () { window.localStorage.setItem(key, el.open ? 'open' : 'closed'); });
      } catch (err) { /* storage off (private mode): the sheet keeps its server-side default */ }
    });
  }

  // Choosing a district or town by hand means the home location comes from the division, not GPS/pin.
  document.addEventListener('change', function (e) {
    var sel = e.target.closest && e.target.closest('[data-source-division]');
    if (!sel) return;
    var src = $(sel.getAttribute('data-source-division'));
    if (src) src.value = 'division';
  });

  // ---- Start-up, and again for content htmx swaps in ----

  document.addEventListener('htmx:load', function (e) { initMaps(e.target); });
  document.addEventListener('DOMContentLoaded', function () { rememberSheets(document); });
  // Deferred scripts run while readyState is "interactive": wait so Leaflet (loaded after us) is there.
  if (document.readyState === 'complete') {
    initMaps(document);
  } else {
    document.addEventListener('DOMContentLoaded', function () { initMaps(document); });
  }
})();
