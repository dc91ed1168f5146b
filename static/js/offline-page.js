/* The offline page (templates/offline/page.html), which the service worker shows for any page that cannot load:
   for /visits/<id> the copy of that visit kept on this phone, with what its unsent actions changed; for
   /visits/<id>/report the report form; otherwise what can be done without signal, the actions waiting to be
   sent (a refused one can be deleted) and the visits kept. Text only: nothing here is read as HTML. */
(function () {
  'use strict';

  var O = window.HuhangOffline;
  var page = document.getElementById('offline-page');
  if (!O || !page) return;
  var d = page.dataset;
  var route = /^\/visits\/(\d+)(\/report)?\/?$/.exec(location.pathname);

  function $(id) { return document.getElementById(id); }
  function show(el, on) { if (el) el.hidden = !on; }

  function fill(root, name, text) {
    root.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) { el.textContent = text || ''; });
  }

  function when(ms) {
    return new Date(ms).toLocaleString(document.documentElement.lang || 'zh-CN',
      { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  function kindName(kind) { return d['kind' + kind.charAt(0).toUpperCase() + kind.slice(1)] || kind; }

  // ---- one visit ----

  function showVisit(v, items) {
    var root = $('offline-visit'), now = Date.now();
    var live = items.filter(function (i) { return i.state !== 'failed'; });
    function has(kind) { return live.some(function (i) { return i.kind === kind; }); }
    var inside = v.checked_in || has('checkin'), out = v.checked_out || has('checkout');
    var reported = v.has_report || has('report');
    fill(root, 'service', v.service);
    fill(root, 'dimension', v.dimension);
    fill(root, 'status_label', live.length ? d.waitingStatus : v.status_label);
    $('visit-status').className = 'badge ' + (live.length ? 'badge-warn' : 'badge-info');
    fill(root, 'when', v.starts + '–' + v.ends);
    fill(root, 'child', v.child.pseudonym + ' · ' + d.age.replace('{band}', v.child.age_band));
    fill(root, 'town', v.child.town);
    root.querySelectorAll('[data-show="town"]').forEach(function (el) { show(el, !!v.child.town); });
    show(root.querySelector('[data-field="town"]'), !!v.child.town);
    var c = v.contact;
    show($('visit-contact'), !!c);
    show($('offline-no-contact'), !c);
    if (c) {
      fill(root, 'address', c.address || '—');
      fill(root, 'guardian', c.guardian);
      var phone = root.querySelector('a[data-field="phone"]');
      phone.textContent = c.phone_text || c.phone || '';
      phone.href = 'tel:' + (c.phone || '').replace(/[^\d+]/g, '');
      root.querySelectorAll('[data-show="phone"]').forEach(function (el) { show(el, !!c.phone); });
    }
    var open = Date.parse(v.checkin_opens_at) <= now && now <= Date.parse(v.checkin_closes_at);
    var waiting = !inside && (v.status === 'accepted' || v.status === 'checked_in');
    $('checkin-form').setAttribute('action', '/visits/' + v.id + '/checkin');
    $('checkout-form').setAttribute('action', '/visits/' + v.id + '/checkout');
    show($('checkin-form'), waiting && open);
    show($('checkin-opens'), waiting && now < Date.parse(v.checkin_opens_at));
    $('checkin-opens').textContent = d.opens.replace('{when}', v.checkin_opens);
    show($('checked-in'), inside && !out);
    show($('checkout-form'), inside && !out);
    show($('checked-out'), out && !reported);
    show($('report-filed'), v.has_report);  // a report still on the phone is listed as waiting instead
    $('report-link').href = '/visits/' + v.id + '/report';
    show($('report-link'), inside && !reported);
    fill(root, 'pending', live.map(function (i) { return kindName(i.kind); }).join('、'));
    show($('visit-pending'), live.length > 0);
    var failed = items.filter(function (i) { return i.state === 'failed'; });
    var errors = $('visit-error');
    errors.textContent = '';
    failed.forEach(function (i) {
      var p = document.createElement('p');
      p.textContent = kindName(i.kind) + '：' + d.failed.replace('{why}', i.message || '');
      errors.appendChild(p);
    });
    show(errors, failed.length > 0);
    show(root, true);
  }

  function showReport(v) {
    var root = $('offline-report');
    fill(root, 'summary', v.service + ' · ' + v.child.pseudonym + ' · ' + v.starts);
    $('offline-report-back').href = '/visits/' + v.id;
    $('report-form').setAttribute('action', '/visits/' + v.id + '/report');
    show(root, true);
  }

  // ---- the page's own view: the outbox and the kept visits ----

  function outboxItem(item, visitsById) {
    var li = document.createElement('li'), text = document.createElement('span');
    var badge = document.createElement('span');
    li.className = 'list-item';
    text.className = 'grow';
    var v = visitsById[item.visit_id];
    text.textContent = kindName(item.kind) + (v ? ' · ' + v.service + ' · ' + v.starts : '') + ' · ' +
      d.savedAt.replace('{when}', when(item.created));
    badge.className = 'badge ' + (item.state === 'failed' ? 'badge-danger' : 'badge-warn');
    badge.textContent = item.state === 'failed' ? d.failed.replace('{why}', item.message || '') : d.waiting;
    li.appendChild(text);
    li.appendChild(badge);
    if (item.state === 'failed') {
      var drop = document.createElement('button');
      drop.type = 'button';
      drop.className = 'btn btn-sm btn-danger-quiet';
      drop.textContent = d.delete;
      drop.addEventListener('click', function () {
        if (window.confirm(d.deleteConfirm)) O.drop(item.key).then(render);
      });
      li.appendChild(drop);
    }
    return li;
  }

  function visitItem(v) {
    var li = document.createElement('li'), a = document.createElement('a');
    var text = document.createElement('span'), chevron = document.createElement('span');
    li.className = 'list-item';
    a.href = '/visits/' + v.id;
    text.className = 'grow';
    text.textContent = v.service + ' · ' + v.starts + '–' + v.ends;
    chevron.className = 'chevron';
    chevron.setAttribute('aria-hidden', 'true');
    a.appendChild(text);
    a.appendChild(chevron);
    li.appendChild(a);
    return li;
  }

  function showHome(user) {
    return Promise.all([user ? O.outbox(user) : [], user ? O.visits(user) : []]).then(function (r) {
      var items = r[0], visits = r[1], byId = {};
      visits.forEach(function (v) { byId[v.id] = v; });
      var list = $('offline-outbox-list');
      list.textContent = '';
      items.forEach(function (i) { list.appendChild(outboxItem(i, byId)); });
      show($('offline-outbox'), items.length > 0);
      var vl = $('offline-visit-list');
      vl.textContent = '';
      visits.forEach(function (v) { vl.appendChild(visitItem(v)); });
      show(vl, visits.length > 0);
      show($('offline-no-visits'), visits.length === 0);
      show($('offline-home'), true);
    });
  }

  function render() {
    ['offline-home', 'offline-visit', 'offline-report', 'offline-missing'].forEach(function (id) {
      show($(id), false);
    });
    show($('offline-now'), navigator.onLine === false);
    return O.currentUser().then(function (user) {
      if (!route) return showHome(user);
      var id = parseInt(route[1], 10);
      return Promise.all([user ? O.visit(user, id) : null, user ? O.outbox(user) : []]).then(function (r) {
        var v = r[0], items = r[1].filter(function (i) { return i.visit_id === id; });
        if (!v) { show($('offline-missing'), true); return; }
        if (route[2]) {
          var done = v.has_report || items.some(function (i) { return i.kind === 'report' && i.state !== 'failed'; });
          if (done) { location.replace('/visits/' + id); return; }
          showReport(v);
        } else {
          showVisit(v, items);
        }
      });
    });
  }

  $('outbox-send-now').addEventListener('click', function () {
    var result = $('outbox-result');
    result.textContent = '';
    O.sync().then(function (r) {
      result.textContent = r.state === 'offline' ? d.stillOffline : '';
      return render();
    });
  });
  document.addEventListener('huhang:outbox', function () { if (!route) render(); });
  window.addEventListener('online', function () { show($('offline-now'), false); });
  window.addEventListener('offline', function () { show($('offline-now'), true); });
  (O.ready || Promise.resolve()).then(render);
}());
