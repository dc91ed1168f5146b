/* Huhang without signal: the phone's own store (IndexedDB) and the outbox sender, shared by the pages and the
   service worker (importScripts). Stores: meta (who used the app last), visits (the copies of the user's visits
   from /offline/visits.json, each deleted when its access grant ends) and outbox (actions taken without signal,
   each with an idempotency key, sent in order to /offline/visits/<id>/<kind> once there is signal). */
(function (root) {
  'use strict';

  var DB = 'huhang-offline';
  var ACTIONS = '/offline/visits/';
  var SESSION = '/offline/session';
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB, 1);
        req.onupgradeneeded = function () {
          var db = req.result;
          db.createObjectStore('meta');
          db.createObjectStore('visits', { keyPath: 'id' });
          db.createObjectStore('outbox', { keyPath: 'key' });
        };
        req.onsuccess = function () {
          var db = req.result;
          // Clear-Site-Data at logout deletes the database: the next call opens a new one.
          db.onversionchange = db.onclose = function () { db.close(); opening = null; };
          resolve(db);
        };
        req.onerror = function () { opening = null; reject(req.error); };
      });
    }
    return opening;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var req = work(t.objectStore(store));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function all(store) { return run(store, 'readonly', function (s) { return s.getAll(); }); }
  function get(store, key) { return run(store, 'readonly', function (s) { return s.get(key); }); }
  function put(store, value, key) {
    return run(store, 'readwrite', function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
  }
  function remove(store, key) { return run(store, 'readwrite', function (s) { return s.delete(key); }); }
  function clear(store) { return run(store, 'readwrite', function (s) { return s.clear(); }); }

  function broadcast(message) {
    if (typeof BroadcastChannel === 'undefined') return;
    var ch = new BroadcastChannel('huhang-offline');
    ch.postMessage(message);
    ch.close();
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var a = new Uint8Array(16);
    root.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // ---- who uses the app, and the visits kept for them ----

  function currentUser() { return get('meta', 'user').then(function (u) { return u || null; }); }

  function setUser(id) {
    return currentUser().then(function (known) {
      if (known === id) return null;
      return clear('visits').then(function () { return put('meta', id, 'user'); });  // another person's copies go
    });
  }

  function forgetVisits() {
    return Promise.all([clear('visits'), remove('meta', 'visits_at')]);
  }

  function saveVisits(userId, list) {
    return run('visits', 'readwrite', function (s) {
      s.clear();
      list.forEach(function (v) { s.put(Object.assign({}, v, { user_id: userId, kept_at: Date.now() })); });
    }).then(function () { return put('meta', Date.now(), 'visits_at'); });
  }

  function keptAt() { return get('meta', 'visits_at').then(function (at) { return at || null; }); }

  function ended(v, now) { return !v.grant_ends_at || Date.parse(v.grant_ends_at) < now; }

  function prune(now) {
    return run('visits', 'readwrite', function (s) {
      var req = s.openCursor();
      req.onsuccess = function () {
        var cursor = req.result;
        if (!cursor) return;
        if (ended(cursor.value, now)) cursor.delete();
        cursor.continue();
      };
    });
  }

  function visits(userId) {
    var now = Date.now();
    return all('visits').then(function (list) {
      return list.filter(function (v) { return v.user_id === userId && !ended(v, now); })
        .sort(function (a, b) { return Date.parse(a.starts_at) - Date.parse(b.starts_at); });
    });
  }

  function visit(userId, id) {
    return get('visits', id).then(function (v) {
      return v && v.user_id === userId && !ended(v, Date.now()) ? v : null;
    });
  }

  // ---- the outbox ----

  function queue(action) {
    var item = Object.assign({ key: newKey(), created: Date.now(), state: 'pending' }, action);
    return put('outbox', item).then(function () { broadcast({ type: 'queued' }); return item; });
  }

  function keepForm(visitId, kind, form, recordedAt) {
    var fields = {}, photos = [];
    form.forEach(function (value, name) {
      if (name === 'csrf_token') return;
      if (typeof value === 'string') { fields[name] = value; return; }
      if (value && value.size) photos.push({ name: value.name, blob: value });
    });
    return currentUser().then(function (user) {
      if (!user) throw new Error('no user');
      return queue({ user_id: user, visit_id: visitId, kind: kind, fields: fields, photos: photos,
                     recorded_at: recordedAt || new Date().toISOString() });
    });
  }

  function outbox(userId) {
    return all('outbox').then(function (list) {
      return list.filter(function (i) { return userId == null || i.user_id === userId; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }

  function counts(userId) {
    return outbox(userId).then(function (list) {
      var failed = list.filter(function (i) { return i.state === 'failed'; }).length;
      return { pending: list.length - failed, failed: failed };
    });
  }

  function drop(key) { return remove('outbox', key).then(function () { broadcast({ type: 'dropped' }); }); }

  function dropAll(userId) {
    return outbox(userId).then(function (list) {
      return Promise.all(list.map(function (i) { return remove('outbox', i.key); }));
    });
  }

  function body(item) {
    var form = new FormData();
    Object.keys(item.fields || {}).forEach(function (k) { form.append(k, item.fields[k]); });
    (item.photos || []).forEach(function (p) { form.append('photos', p.blob, p.name); });
    form.append('recorded_at', item.recorded_at);
    return form;
  }

  function answer(resp) { return resp.json().catch(function () { return {}; }); }

  // Send the user's pending actions in order. Stops at the first that cannot be answered now (no signal,
  // not logged in, busy): it and those after it stay for the next try. A refusal is kept as failed, with
  // the server's reason, until the user deletes it.
  async function sendAll() {
    var session, sent = 0, failed = 0;
    try {
      var r = await fetch(SESSION, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' });
      if (r.type === 'opaqueredirect' || r.status === 401) return { state: 'login', sent: 0, failed: 0 };
      if (!r.ok) return { state: 'retry', sent: 0, failed: 0 };
      session = await r.json();
    } catch (e) {
      return { state: 'offline', sent: 0, failed: 0 };
    }
    await setUser(session.user_id);
    var items = (await outbox(session.user_id)).filter(function (i) { return i.state !== 'failed'; });
    for (var i = 0; i < items.length; i++) {
      var item = items[i], resp;
      try {
        resp = await fetch(ACTIONS + item.visit_id + '/' + item.kind, {
          method: 'POST', body: body(item), credentials: 'same-origin', redirect: 'manual',
          headers: { 'Idempotency-Key': item.key, 'X-CSRFToken': session.csrf_token, 'Accept': 'application/json' }
        });
      } catch (e) {
        return { state: 'offline', sent: sent, failed: failed };
      }
      if (resp.type === 'opaqueredirect' || resp.status === 401) return { state: 'login', sent: sent, failed: failed };
      var data = await answer(resp);
      if (resp.ok) {
        await remove('outbox', item.key);
        sent++;
      } else if (resp.status === 403 || resp.status === 404 || resp.status === 422) {
        item.state = 'failed';
        item.message = data.message || '';
        await put('outbox', item);
        failed++;
      } else {
        return { state: 'retry', sent: sent, failed: failed };  // 409 busy, 400 (an old CSRF token), 5xx
      }
    }
    return { state: 'done', sent: sent, failed: failed };
  }

  function sync() {
    function go() {
      return sendAll().then(function (result) { broadcast({ type: 'synced', result: result }); return result; });
    }
    var locks = root.navigator && root.navigator.locks;
    return locks && locks.request ? locks.request('huhang-outbox', go) : go();  // one sender: pages and worker
  }

  root.HuhangOffline = {
    currentUser: currentUser, setUser: setUser, forgetVisits: forgetVisits, saveVisits: saveVisits,
    keptAt: keptAt, prune: prune, visits: visits, visit: visit, queue: queue, keepForm: keepForm,
    outbox: outbox, counts: counts, drop: drop, dropAll: dropAll, sync: sync
  };
}(self));
