/* Visit check-in: read the phone's position, put it in the form, submit. Without a fix the form is sent
   empty and the server answers with a clear message. The child's location is never on this page.
   Delegated, so a check-in form swapped in by htmx (after accepting) works too. */
(function () {
  'use strict';

  function submitWith(form, pos) {
    if (pos) {
      form.elements.lat.value = pos.coords.latitude;
      form.elements.lon.value = pos.coords.longitude;
      form.elements.accuracy.value = Math.round(pos.coords.accuracy || 0);
    }
    form.dataset.located = '1';
    form.submit();
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form || form.id !== 'checkin-form' || form.dataset.located) return;
    ev.preventDefault();
    var status = document.getElementById('checkin-status');
    var button = document.getElementById('checkin-button');
    if (status) status.textContent = form.dataset.locating || '';
    if (button) button.disabled = true;
    if (!navigator.geolocation) { submitWith(form, null); return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { submitWith(form, pos); },
      function () { submitWith(form, null); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  });
}());
