/* Attendance pages. The organiser's QR page: the countdown to the next code ([data-countdown] seconds from
   when the element appeared, so each fragment htmx swaps in starts its own). The volunteer's scan page:
   each form[data-locate] sends the phone's position when the browser gives one (else it goes without, and
   the server checks the code alone); where the browser has BarcodeDetector, the camera reads the QR code
   and sends its activity and code. Delegated, so forms swapped in later work too. */
(function () {
  'use strict';

  function deadline(el, seconds) {
    if (!el.dataset.deadline) el.dataset.deadline = String(Date.now() + Number(seconds) * 1000);
    return (Number(el.dataset.deadline) - Date.now()) / 1000;
  }

  function tick() {
    document.querySelectorAll('[data-countdown]').forEach(function (el) {
      var left = String(Math.max(0, Math.ceil(deadline(el, el.dataset.countdown))));
      if (el.textContent !== left) el.textContent = left;
    });
    document.querySelectorAll('[data-countdown-bar]').forEach(function (el) {
      el.value = Math.max(0, deadline(el, el.dataset.countdownBar));
    });
  }

  if (document.querySelector('[data-countdown]')) {
    tick();
    setInterval(tick, 250);
  }

  // --- the phone's position with each scan ---------------------------------------------------------------
  function submitWith(form, pos) {
    if (pos) {
      form.elements.lat.value = pos.coords.latitude;
      form.elements.lon.value = pos.coords.longitude;
    }
    form.dataset.located = '1';
    form.submit();
  }

  function locate(form) {
    var status = form.querySelector('[data-locate-status]');
    var button = form.querySelector('button[type="submit"]');
    var done = false;
    function finish(pos) {
      if (done) return;
      done = true;
      submitWith(form, pos);
    }
    if (status) status.textContent = form.dataset.locating || '';
    if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
    if (!navigator.geolocation) { finish(null); return; }
    navigator.geolocation.getCurrentPosition(finish, function () { finish(null); },
      { enableHighAccuracy: false, timeout: 8000, maximumAge: 60000 });
    setTimeout(function () { finish(null); }, 10000);  // a permission prompt left unanswered
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form || !form.hasAttribute('data-locate') || form.dataset.located) return;
    ev.preventDefault();
    locate(form);
  });

  // Back to the page from the browser's cache: the forms can be sent again.
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-locate]').forEach(function (form) {
      delete form.dataset.located;
      var button = form.querySelector('button[type="submit"]');
      if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
      var status = form.querySelector('[data-locate-status]');
      if (status) status.textContent = '';
    });
  });

  // --- the camera ----------------------------------------------------------------------------------------
  var camera = document.querySelector('[data-scan-camera]');
  if (!camera || !('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var start = camera.querySelector('[data-scan-start]');
  var video = camera.querySelector('[data-scan-video]');
  var status = camera.querySelector('[data-scan-status]');
  var form = camera.querySelector('[data-scan-form]');
  var stream = null;
  var detector = null;
  camera.hidden = false;

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    start.hidden = false;
  }

  function use(text) {
    var url;
    try { url = new URL(text, window.location.href); } catch (e) { return false; }
    var a = url.searchParams.get('a');
    var c = url.searchParams.get('c');
    if (url.pathname !== form.getAttribute('action') || !a || !c) {
      status.textContent = status.dataset.notOurs;
      return false;
    }
    stop();
    form.elements.a.value = a;
    form.elements.c.value = c;
    form.hidden = false;
    locate(form);
    return true;
  }

  function look() {
    if (!stream) return;
    detector.detect(video).then(function (codes) {
      for (var i = 0; i < codes.length; i++) {
        if (use(codes[i].rawValue)) return;
      }
      setTimeout(look, 250);
    }, function () { setTimeout(look, 500); });
  }

  start.addEventListener('click', function () {
    try {
      detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    } catch (e) {
      status.textContent = status.dataset.noCamera;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      start.hidden = true;
      status.textContent = status.dataset.looking;
      return video.play();
    }).then(look, function () {
      stop();
      status.textContent = status.dataset.noCamera;
    });
  });
}());
