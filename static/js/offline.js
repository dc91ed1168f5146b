/* Huhang without signal, on every page: registers the service worker, keeps the helper's visits on the phone
   (refreshed with signal, pruned when their grant ends, forgotten when nobody is logged in), sends the outbox
   when there is signal (Background Sync where the browser has it), shows "待同步 (n)" in the header, and
   asks before a logout would delete actions not sent yet. HuhangOffline.ready settles once the phone's copies
   are up to date (the browser tests wait for it). */
(function () {
  'use strict';

  var O = window.HuhangOffline;
  var status = document.getElementById('sync-status');
  if (!O || !status || !window.indexedDB) return;
  var d = status.dataset;
  var user = d.user ? parseInt(d.user, 10) : null;
  var VISIT_PAGE = /^\/visits\/\d+\/?$/;
  var REFRESH_MS = 5 * 60 * 1000;  // the copies are fetched again at most this often, but on each visit page

  function whoUses() { return user ? Promise.resolve(user) : O.currentUser(); }

  function showCount() {
    return whoUses().then(function (id) { return id ? O.counts(id) : { pending: 0, failed: 0 }; }).then(function (c) {
      var n = c.pending || c.failed;
      status.hidden = !n;
      status.classList.toggle('is-failed', !c.pending && c.failed > 0);
      status.textContent = n ? (c.pending ? d.pending : d.failed).replace('{n}', n) : '';
      return c;
    });
  }

  function refreshVisits() {
    if (!user || !d.visits || navigator.onLine === false) return Promise.resolve();
    return O.keptAt().then(function (at) {
      if (!VISIT_PAGE.test(location.pathname) && at && Date.now() - at < REFRESH_MS) return null;
      return fetch(d.visits, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' }).then(function (r) {
        if (r.type === 'opaqueredirect' || r.status === 401 || r.status === 403) return O.forgetVisits();
        if (!r.ok) return null;
        return r.json().then(function (data) { return O.saveVisits(data.user_id, data.visits); });
      }, function () { return null; });
    });
  }

  function afterSync(result) {
    showCount();
    // A visit page shown from the phone's copy (or a stale one) is loaded again from the server once its
    // actions went through; the report form is never reloaded under the helper's fingers.
    if (result && result.sent && VISIT_PAGE.test(location.pathname)) location.reload();
    return result;
  }

  function syncNow() {
    return whoUses().then(function (id) { return id ? O.counts(id) : { pending: 0 }; }).then(function (c) {
      return c.pending ? O.sync().then(afterSync) : null;
    }).catch(function () { return null; });
  }

  O.requestSync = function () {
    showCount();
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.ready.then(function (reg) {
        return reg.sync && reg.sync.register('huhang-outbox');
      }).catch(function () { return null; });
    }
    if (navigator.onLine !== false) syncNow();
  };

  O.ready = Promise.resolve()
    .then(function () { return user ? O.setUser(user) : (d.anonymous ? O.forgetVisits() : null); })
    .then(function () { return O.prune(Date.now()); })
    .then(refreshVisits)
    .then(showCount)
    .catch(function () { return null; })
    .then(function () { document.documentElement.setAttribute('data-offline-ready', '1'); });

  if ('serviceWorker' in navigator && d.sw) {
    navigator.serviceWorker.register(d.sw, { scope: '/' }).catch(function () { return null; });
  }
  window.addEventListener('online', function () { syncNow(); });
  O.ready.then(function () { if (navigator.onLine !== false) syncNow(); });
  if (typeof BroadcastChannel !== 'undefined') {
    new BroadcastChannel('huhang-offline').onmessage = function (ev) {
      var m = ev.data || {};
      if (m.type === 'synced') afterSync(m.result); else showCount();
      document.dispatchEvent(new CustomEvent('huhang:outbox', { detail: m }));
    };
  }

  // ---- logging out with actions not sent: ask first (Clear-Site-Data at logout deletes them) ----

  var dialog = document.getElementById('outbox-dialog');
  var logouts = (d.logouts || '').split(' ').filter(Boolean);

  function isLogout(form) {
    return logouts.indexOf(new URL(form.getAttribute('action') || '', location.href).pathname) >= 0;
  }

  // Submitted as it is: any confirmation of the form (app.js's data-confirm) was answered before this ran.
  function leave(form) {
    form.setAttribute('data-outbox-checked', '1');
    var sw = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (sw) sw.postMessage({ type: 'clear' });
    O.forgetVisits().catch(function () { return null; }).then(function () {
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  function ask(form, n, problem) {
    var text = document.getElementById('outbox-dialog-text');
    var error = document.getElementById('outbox-dialog-error');
    text.textContent = text.dataset.text.replace('{n}', n);
    error.hidden = !problem;
    error.textContent = problem ? error.dataset[problem] : '';
    dialog.returnValue = '';
    dialog.onclose = function () {
      if (dialog.returnValue === 'discard') {
        O.dropAll(user).then(function () { leave(form); });
      } else if (dialog.returnValue === 'send') {
        O.sync().then(function (result) {
          showCount();
          return O.counts(user).then(function (c) {
            if (!c.pending && !c.failed) leave(form);
            else ask(form, c.pending + c.failed, result.state === 'done' ? 'failed' : 'offline');
          });
        });
      }
    };
    dialog.showModal();
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form || !user || !dialog || !isLogout(form) || form.hasAttribute('data-outbox-checked')) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    O.counts(user).then(function (c) {
      if (c.pending || c.failed) ask(form, c.pending + c.failed); else leave(form);
    }, function () { leave(form); });
  }, true);
}());
