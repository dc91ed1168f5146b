/* The volunteer's home point comes from one source at a time: a point (the phone's location, a map
   pin or typed coordinates) or a chosen district (its centre). Choosing one clears the other, says so
   next to what was chosen, and the "in use" line follows. Texts come from data-msg-* attributes. */
(function () {
  'use strict';

  function $(sel) { return sel ? document.querySelector(sel) : null; }

  function init(box) {
    var d = box.dataset;
    var src = $(d.sourceInput), lat = $(d.latInput), lon = $(d.lonInput);
    var district = $(d.districtInput), town = $(d.townInput);
    var inUse = $(d.inUse), notes = [$(d.pointNote), $(d.divisionNote)], status = $(d.status);
    if (!src || !lat || !lon || !district || !town) return;

    function districtName() {
      var o = district.options[district.selectedIndex];
      return o && o.value ? o.textContent : '';
    }

    function show() {
      var s = src.value, text = d.msgNone;
      if ((s === 'gps' || s === 'pin') && lat.value && lon.value) text = s === 'gps' ? d.msgGps : d.msgPin;
      else if (s === 'division' && district.value) text = d.msgDivision.replace('{district}', districtName());
      if (inUse) inUse.textContent = text;
    }

    function say(note, text) {
      notes.forEach(function (n) { if (n) n.textContent = ''; });
      if (note) note.textContent = text;
    }

    function pointChosen() {
      if (district.value || town.value) {
        // No change event: htmx would fetch towns and this script would take it for a district choice.
        district.value = '';
        while (town.options.length > 1) town.remove(1);
        town.value = '';
        say(notes[0], d.msgClearedDivision);
      }
      show();
    }

    function divisionChosen() {
      src.value = 'division';
      if (lat.value || lon.value) {
        [lat, lon].forEach(function (i) {
          i.value = '';
          i.dispatchEvent(new Event('change', { bubbles: true }));  // the map drops its pin
        });
        if (status) { status.textContent = ''; status.removeAttribute('data-state'); }  // "Location found" no longer holds
        say(notes[1], d.msgClearedPoint.replace('{district}', districtName()));
      }
      show();
    }

    document.addEventListener('change', function (e) {
      var t = e.target;
      if (t === src) {
        if (src.value === 'gps' || src.value === 'pin') pointChosen(); else show();
      } else if (t === district || t === town) {
        divisionChosen();
      } else if (t === lat || t === lon) {
        // Coordinates typed by hand are a point too.
        if (src.value === 'division' && lat.value && lon.value) { src.value = 'pin'; pointChosen(); }
        show();
      }
    });
  }

  function start() { document.querySelectorAll('[data-home-place]').forEach(init); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
