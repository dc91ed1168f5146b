"""The matching machinery of solver.py: geometry, candidate edges, the sparse and dense assignment steps."""
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
ANY, VOLUNTEERS, TEAMS = 0, 1, 2  # which helpers a row may take


def unit_vectors(lat, lon) -> np.ndarray:
    """Points on the unit sphere (n x 3): chord length grows with great-circle distance."""
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def chord_to_km(chord):
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.asarray(chord, float) / 2.0, 1.0))


def km_to_chord(km: float) -> float:
    return float(2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0))


class Rows:
    """The rows of one matching step: a task each, the slots allowed, a helper excluded, a mode."""

    def __init__(self, task, slots, exclude=None, mode=None):
        n = len(task)
        self.task = np.asarray(task, np.int64).reshape(n)
        self.slots = np.asarray(slots, np.int64).reshape(n)
        self.exclude = np.full(n, -1, np.int64) if exclude is None else np.asarray(exclude, np.int64).reshape(n)
        self.mode = np.full(n, ANY, np.int8) if mode is None else np.asarray(mode, np.int8).reshape(n)

    def __len__(self):
        return len(self.task)


class Problem:
    """The shared state of one solve: points, KD-tree over helpers, capacity left, continuity, stats."""

    def __init__(self, tasks, helpers, settings, continuity=()):
        self.t, self.h, self.s = tasks, helpers, settings
        self.cap = np.maximum(helpers.capacity, 0).astype(np.int64).copy()
        self.tx = unit_vectors(tasks.lat, tasks.lon)
        self.hx = unit_vectors(helpers.lat, helpers.lon)
        self.hidx = np.flatnonzero(np.isfinite(helpers.lat) & np.isfinite(helpers.lon))
        self.tree = cKDTree(self.hx[self.hidx]) if len(self.hidx) else None
        self.reach = np.minimum(helpers.max_km, settings.max_km)
        self.bound = km_to_chord(settings.max_km) * (1 + 1e-9)
        pos = {int(h): i for i, h in enumerate(helpers.ids.tolist())}
        self.continuity = {(int(c), pos[int(h)]) for c, h in continuity or () if int(h) in pos}
        self.by_child: dict = {}
        for c, hh in self.continuity:
            self.by_child.setdefault(c, []).append(hh)
        self.n_h = max(len(helpers), 1)
        self.cont_keys = np.array(sorted(c * self.n_h + hh for c, hh in self.continuity if c >= 0), np.int64)
        self.banned = np.array([], np.int64)  # task * n_h + helper: leads that found no partner
        self.stats = {"rounds": 0, "widened": 0, "dense": 0, "edges": 0}

    def km(self, task, hel):
        """Great-circle km between tasks and helpers (index arrays of equal length)."""
        return chord_to_km(np.linalg.norm(self.hx[hel] - self.tx[task], axis=1))

    def ball(self, task):
        """Every located helper within settings.max_km of one task: (helper indices, km)."""
        if self.tree is None:
            return np.array([], np.int64), np.array([], float)
        i = np.asarray(self.tree.query_ball_point(self.tx[task], self.bound), np.int64)
        h = self.hidx[i]
        return h, self.km(np.full(len(h), task), h)

    def ban(self, tasks, helpers) -> None:
        """Never again offer these (task, helper) edges (leads that found no partner)."""
        self.banned = np.union1d(self.banned, np.asarray(tasks, np.int64) * self.n_h + np.asarray(helpers, np.int64))

    def feasible(self, rows: Rows, rr, hel, km):
        """Hard constraints of edges (row, helper, km) with the capacity left now."""
        task, mode = rows.task[rr], rows.mode[rr]
        team = self.h.team[hel]
        ok = ((km <= self.reach[hel]) & ((self.t.skills[task] & ~self.h.skills[hel]) == 0)
              & ((rows.slots[rr] & self.h.slots[hel]) != 0) & (self.cap[hel] > 0) & (hel != rows.exclude[rr])
              & ((mode == ANY) | ((mode == VOLUNTEERS) & ~team) | ((mode == TEAMS) & team)))
        if len(self.banned) and ok.any():
            ok &= ~np.isin(task * self.n_h + hel, self.banned)
        return ok

    # --- candidate edges ----------------------------------------------------------------------------
    def edges(self, rows: Rows):
        """The k nearest feasible helpers of each row (+ helpers who visited its child before): (row,
        helper, km). Rows are grouped by required skills and mode, each group queried on a KD-tree of
        only the helpers who could take it; the query widens for rows that found fewer while more
        helpers were in range (a row's edges come from its last, widest query only)."""
        parts = []
        if self.tree is not None and len(rows):
            located = np.zeros(len(self.h), bool)
            located[self.hidx] = True
            keys = np.stack((self.t.skills[rows.task], rows.mode.astype(np.int64)), axis=1)
            groups, inverse = np.unique(keys, axis=0, return_inverse=True)
            for g, (mask, mode) in enumerate(groups.tolist()):
                ok = located & (self.cap > 0) & ((mask & ~self.h.skills) == 0)
                if mode == VOLUNTEERS:
                    ok &= ~self.h.team
                elif mode == TEAMS:
                    ok &= self.h.team
                sub = np.flatnonzero(ok)
                if len(sub):
                    parts += self._group_edges(rows, np.flatnonzero(inverse.ravel() == g), sub)
        rr, h, km = (np.concatenate([p[j] for p in parts]) if parts else np.array([], t)
                     for j, t in enumerate((np.int64, np.int64, float)))
        return self._with_continuity(rows, rr.astype(np.int64), h.astype(np.int64), km)

    def _group_edges(self, rows, todo, sub):
        k = self.s.k
        tree = cKDTree(self.hx[sub])
        kq, parts = max(2 * k, 32), []
        while len(todo):
            kq = min(kq, len(sub))
            d, i = tree.query(self.tx[rows.task[todo]], k=kq, distance_upper_bound=self.bound)
            d, i = d.reshape(len(todo), kq), i.reshape(len(todo), kq)
            seen = np.isfinite(d)
            r, c = np.nonzero(seen)
            rr, h, km = todo[r], sub[i[r, c]], chord_to_km(d[r, c])
            ok = self.feasible(rows, rr, h, km)
            rr, h, km = rr[ok], h[ok], km[ok]  # sorted by row, then distance
            first = np.searchsorted(rr, rr, side="left")
            keep = (np.arange(len(rr)) - first) < k
            found = np.zeros(len(todo), np.int64)
            pos = np.searchsorted(todo, rr[keep])
            np.add.at(found, pos, 1)
            more = (found < k) & (seen.sum(axis=1) >= kq) & (kq < len(sub))
            final = ~np.isin(rr, todo[more]) & keep
            parts.append((rr[final], h[final], km[final]))
            todo, kq = todo[more], kq * 4
        return parts

    def _with_continuity(self, rows, rr, h, km):
        """Add the feasible helpers who visited a row's child before, wherever they rank by distance."""
        add = [(row, hh) for row, task in enumerate(rows.task.tolist())
               for hh in self.by_child.get(int(self.t.child[task]), ())
               if np.isfinite(self.h.lat[hh]) and np.isfinite(self.h.lon[hh])]
        if not add:
            return rr, h, km
        ar, ah = (np.array(x, np.int64) for x in zip(*add))
        akm = self.km(rows.task[ar], ah)
        ok = self.feasible(rows, ar, ah, akm)
        return _dedupe(np.r_[rr, ar[ok]], np.r_[h, ah[ok]], np.r_[km, akm[ok]])

    def all_feasible(self, rows: Rows, which):
        """Every feasible helper in range of the rows listed in which (the widened candidate sets)."""
        empty = np.array([], np.int64), np.array([], np.int64), np.array([], float)
        if self.tree is None or not len(which):
            return empty
        found = self.tree.query_ball_point(self.tx[rows.task[which]], self.bound)
        sizes = np.fromiter((len(x) for x in found), np.int64, len(found))
        if not sizes.sum():
            return empty
        rr = np.repeat(which, sizes)
        h = self.hidx[np.concatenate([np.asarray(x, np.int64) for x in found])]
        km = self.km(rows.task[rr], h)
        ok = self.feasible(rows, rr, h, km)
        return rr[ok], h[ok], km[ok]

    def cost(self, rows, rr, h, km):
        c = np.asarray(km, float).copy()
        if len(self.cont_keys) and len(c):
            child = self.t.child[rows.task[rr]]
            c[(child >= 0) & np.isin(child * self.n_h + h, self.cont_keys)] -= self.s.continuity_km
        return c

    # --- matching -------------------------------------------------------------------------------------
    def match(self, rows: Rows):
        """Each row's helper (-1: none) and km: most rows assigned, then least cost, capacity respected."""
        n = len(rows)
        if not n:
            return np.array([], np.int64), np.array([], float)
        rr, h, km = self.edges(rows)
        helper = self._assign(n, rows, rr, h, km)
        left = np.flatnonzero((helper < 0) & (np.bincount(rr, minlength=n) > 0))
        if len(left):
            # Feasible work left out: when one of those rows can reach a helper with capacity to spare
            # beyond its k nearest, solve again with every feasible helper in range for them.
            wr, wh, wkm = self.all_feasible(rows, left)
            spare = self.cap - np.bincount(helper[helper >= 0], minlength=len(self.cap))
            if (spare[wh] > 0).any():
                self.stats["widened"] += len(left)
                rr, h, km = _dedupe(np.r_[rr, wr], np.r_[h, wh], np.r_[km, wkm])
                helper = self._assign(n, rows, rr, h, km)
                left = np.flatnonzero((helper < 0) & (np.bincount(rr, minlength=n) > 0))
        if len(left):
            helper = self._dense(n, rows, helper)
        out_km = np.full(n, np.nan)
        got = helper >= 0
        out_km[got] = self.km(rows.task[got], helper[got])
        return helper, out_km

    def _dense(self, n, rows, helper):
        """linear_sum_assignment over every feasible edge of every row, when small enough."""
        if n * (int(np.minimum(self.cap, n).sum()) + n) > self.s.dense_cells:
            return helper  # too large: keep the widened sparse answer
        rr, h, km = self.all_feasible(rows, np.arange(n))
        if not len(h):
            return helper
        self.stats["dense"] += 1
        return self._assign(n, rows, rr, h, km, dense=True)

    def _assign(self, n, rows, rr, h, km, dense=False):
        """Solve one assignment: rows x (capacity slots of the helpers in the edges + one "none" per row)."""
        helper = np.full(n, -1, np.int64)
        if not len(rr):
            return helper
        self.stats["edges"] = max(self.stats["edges"], len(rr))
        cost = self.cost(rows, rr, h, km)
        uniq, inv, count = np.unique(h, return_inverse=True, return_counts=True)
        cap = np.minimum(self.cap[uniq], count)  # more slots than edges never help
        start = np.r_[0, np.cumsum(cap)[:-1]]
        n_cols = int(cap.sum())
        reps = cap[inv]
        er = np.repeat(rr, reps)
        offs = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        ec = np.repeat(start[inv], reps) + offs
        w = np.repeat(cost, reps)
        w = w - min(0.0, float(w.min())) + 1.0  # strictly positive: a stored zero is not an edge
        big = float(w.max()) * (n + 1) + 1.0  # any extra assigned row beats any distance saved
        col_helper = np.repeat(uniq, cap)
        if dense:
            m = np.full((n, n_cols + n), big * 2)
            m[np.arange(n), n_cols + np.arange(n)] = big
            m[er, ec] = w
            r, c = linear_sum_assignment(m)
            r, c = r[m[r, c] < big], c[m[r, c] < big]
        else:
            a = csr_matrix((np.r_[w, np.full(n, big)], (np.r_[er, np.arange(n)], np.r_[ec, n_cols + np.arange(n)])),
                           shape=(n, n_cols + n))
            r, c = min_weight_full_bipartite_matching(a)
        real = c < n_cols
        helper[r[real]] = col_helper[c[real]]
        return helper


def _dedupe(rr, h, km):
    key = rr.astype(np.int64) * (int(h.max()) + 1 if len(h) else 1) + h
    _, first = np.unique(key, return_index=True)
    return rr[first].astype(np.int64), h[first].astype(np.int64), km[first]
