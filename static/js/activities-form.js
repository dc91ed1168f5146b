/* The activity form: the map pin (app.js's data-map-pin) is the venue, not a home, so its title (the
   marker's accessible name, read by app.js from <body data-map-pin>) says so. Runs before app.js sets up
   the map (both are deferred; app.js waits for DOMContentLoaded). */
(function () {
  'use strict';
  var el = document.querySelector('[data-pin-title]');
  if (el) document.body.dataset.mapPin = el.dataset.pinTitle;
})();
