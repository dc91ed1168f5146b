/* The big-screen wish board: a full-screen button (Fullscreen API). htmx keeps the counts live. */
(function () {
  'use strict';

  function init() {
    var btn = document.querySelector('[data-fullscreen]');
    if (!btn || !document.fullscreenEnabled) return;  // no API (an iPhone): the button stays hidden
    function label() {
      var on = !!document.fullscreenElement;
      btn.textContent = on ? btn.dataset.exit : btn.dataset.enter;
      btn.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    btn.addEventListener('click', function () {
      var done = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen();
      if (done && done.catch) done.catch(function () { /* refused (not a user gesture): nothing to do */ });
    });
    document.addEventListener('fullscreenchange', label);
    btn.hidden = false;
    label();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
