"""Stop order for a delivery run: a closed tour from the hub, nearest neighbour improved by 2-opt local search.

python-tsp's local search (2-opt perturbations) starts from the nearest-neighbour tour, so its tour is never
longer than that baseline. Distances are great-circle km (vectorised haversine).
"""
import numpy as np
from python_tsp.heuristics import solve_tsp_local_search

from ..matching.spatial import EARTH_RADIUS_KM

MAX_SECONDS = 0.8  # per run: the page and the job stay quick even for a long route


def distance_matrix(lats, lons) -> np.ndarray:
    """All-pairs great-circle km between points (index 0 is the hub)."""
    p = np.radians(np.asarray(lats, dtype=float))
    lam = np.radians(np.asarray(lons, dtype=float))
    a = (np.sin((p[None, :] - p[:, None]) / 2) ** 2
         + np.cos(p[:, None]) * np.cos(p[None, :]) * np.sin((lam[None, :] - lam[:, None]) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def tour_length(d: np.ndarray, tour: list[int]) -> float:
    """Length of a closed tour (back to its first point)."""
    return float(sum(d[tour[i], tour[(i + 1) % len(tour)]] for i in range(len(tour))))


def nearest_neighbour(d: np.ndarray) -> list[int]:
    """The greedy baseline: from the hub (0), always to the nearest stop not yet visited."""
    n = len(d)
    tour, left = [0], set(range(1, n))
    while left:
        last = tour[-1]
        nxt = min(left, key=lambda j: (d[last, j], j))
        tour.append(nxt)
        left.remove(nxt)
    return tour


def solve(lats, lons, max_seconds: float = MAX_SECONDS) -> tuple[list[int], float]:
    """Visit order of points 1..n starting and ending at point 0 (the hub); returns (order, km).

    order lists the stop indexes (1..n) in visiting order.
    """
    n = len(lats)
    if n <= 1:
        return [], 0.0
    d = distance_matrix(lats, lons)
    start = nearest_neighbour(d)
    if n <= 3:
        return start[1:], tour_length(d, start)
    tour, km = solve_tsp_local_search(d, x0=start, perturbation_scheme="two_opt", max_processing_time=max_seconds)
    if km > tour_length(d, start):  # never worse than the baseline
        tour, km = start, tour_length(d, start)
    i = tour.index(0)
    tour = tour[i:] + tour[:i]
    return [int(t) for t in tour[1:]], float(km)
