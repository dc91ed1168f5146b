/* Visit check-in: read the phone's position, put it in the form, submit. Without a fix the form is sent
   empty and the server answers with a clear message. The child's location is never on this page.
   Without signal (navigator.onLine false), and always on the offline page (forms with data-offline), the
   check-in (with the fix and its time), the check-out and the report go to the phone's outbox instead
   (offline-store.js), to be sent when there is signal; the visit then shows as kept on the phone.
   Delegated, in the capture phase (before htmx), so forms swapped in by htmx work too. */
(function () {
  'use strict';

  var ACTION = /\/visits\/(\d+)\/(checkin|checkout|report)$/;

  function actionOf(form) {
    var m = ACTION.exec(new URL(form.getAttribute('action') || '', location.href).pathname);
    return m ? { visit: parseInt(m[1], 10), kind: m[2] } : null;
  }

  function offline(form) {
    return form.hasAttribute('data-offline') || navigator.onLine === false;
  }

  function say(form, text) {
    var box = form.querySelector('[role=status], [role=alert]');
    if (!box) {
      box = document.createElement('p');
      box.className = 'flash flash-info';
      box.setAttribute('role', 'status');
      form.appendChild(box);
    }
    box.hidden = false;
    box.textContent = text || '';
  }

  // Keep the action on the phone, then show the visit: with the service worker, its page without signal is
  // the copy kept on the phone, with this action marked "待同步".
  function keep(form, act, recordedAt) {
    var O = window.HuhangOffline;
    if (!O) return;
    O.keepForm(act.visit, act.kind, new FormData(form), recordedAt).then(function () {
      if (O.requestSync) O.requestSync();
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        location.assign('/visits/' + act.visit);
      } else {
        say(form, form.dataset.kept || '');
      }
    }, function () {
      say(form, (document.getElementById('offline-page') || form).dataset.noUser || '');
    });
  }

  function submitWith(form, pos) {
    if (pos) {
      form.elements.lat.value = pos.coords.latitude;
      form.elements.lon.value = pos.coords.longitude;
      form.elements.accuracy.value = Math.round(pos.coords.accuracy || 0);
    }
    form.dataset.located = '1';
    form.submit();
  }

  function checkIn(form, act) {
    var status = document.getElementById('checkin-status');
    var button = document.getElementById('checkin-button');
    if (status) status.textContent = form.dataset.locating || '';
    if (button) button.disabled = true;
    function done(pos) {
      if (!offline(form)) { submitWith(form, pos); return; }
      if (button) button.disabled = false;
      if (!pos) { if (status) status.textContent = form.dataset.noFix || ''; return; }
      form.elements.lat.value = pos.coords.latitude;
      form.elements.lon.value = pos.coords.longitude;
      form.elements.accuracy.value = Math.round(pos.coords.accuracy || 0);
      keep(form, act, new Date(pos.timestamp || Date.now()).toISOString());
    }
    if (!navigator.geolocation) { done(null); return; }
    navigator.geolocation.getCurrentPosition(done, function () { done(null); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }

  function observed(form) {
    return ['body', 'mind', 'social', 'intellect'].some(function (name) {
      return form.elements[name] && form.elements[name].value.trim();
    });
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target, act = form && form.tagName === 'FORM' ? actionOf(form) : null;
    if (!act || (act.kind === 'checkin' && form.dataset.located)) return;
    if (act.kind !== 'checkin' && !offline(form)) return;  // with signal: the page's own form (or htmx)
    ev.preventDefault();
    ev.stopPropagation();
    if (act.kind === 'checkin') { checkIn(form, act); return; }
    if (act.kind === 'report' && !observed(form)) {
      say(form, form.dataset.needText);
      return;
    }
    keep(form, act, new Date().toISOString());
  }, true);
}());
