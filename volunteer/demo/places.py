"""Where demo people live: districts weighted by population, and a reproducible random stream per kind of row."""
import random

from ..geo import services as geo

# Weights for where children and volunteers live: the 2020 census resident population of each
# district in units of 10,000, rounded (市南 61, 市北 110, 黄岛 190, 崂山 55, 李沧 72, 城阳 111,
# 即墨 135, 胶州 101, 平度 120, 莱西 73; Qingdao ~1,007). Population, not area, so the small but
# dense urban districts 市南/市北/李沧 get their due share and the large rural ones no more than theirs.
DISTRICT_WEIGHTS = {
    "370202": 61,   # 市南区
    "370203": 110,  # 市北区
    "370211": 190,  # 黄岛区
    "370212": 55,   # 崂山区
    "370213": 72,   # 李沧区
    "370214": 111,  # 城阳区
    "370215": 135,  # 即墨区
    "370281": 101,  # 胶州市
    "370283": 120,  # 平度市
    "370285": 73,   # 莱西市
}
# Rural left-behind children are counted only in the rural towns (镇) of these two county-level cities.
LEFT_BEHIND_DISTRICTS = ("370283", "370285")

LAOSHAN = "370212"
SHAZIKOU = "370212002"  # 沙子口街道, scope of the demo town coordinator and home of the demo volunteer


def random_stream(seed: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per kind of row (str seeds hash stably)."""
    return random.Random(f"huhang-demo:{seed}:{stream}")


class Places:
    """Districts, towns and the population weighting used to place people."""

    def __init__(self):
        self.towns = {d.code: [t.code for t in geo.towns(d.code)] for d in geo.districts()}
        missing = set(DISTRICT_WEIGHTS) - set(self.towns)
        if missing:
            raise RuntimeError(f"divisions missing: {sorted(missing)}")
        self.codes = list(DISTRICT_WEIGHTS)
        self.weights = [DISTRICT_WEIGHTS[c] for c in self.codes]
        self.rural = {c: [t.code for t in geo.towns(c) if t.rural] for c in LEFT_BEHIND_DISTRICTS}
        self.rural_weights = [DISTRICT_WEIGHTS[c] for c in LEFT_BEHIND_DISTRICTS]

    def district(self, rng) -> str:
        return rng.choices(self.codes, self.weights)[0]

    def place(self, rng, rural_only=False) -> tuple[str, str, float, float]:
        """(district, town, lat, lon): a population-weighted district, one of its towns and a point in it.

        There are no official town coordinates, so the point is uniform in the district polygon
        and not tied to the town; the town is drawn uniformly from the district's towns.
        """
        if rural_only:
            district = rng.choices(LEFT_BEHIND_DISTRICTS, self.rural_weights)[0]
            town = rng.choice(self.rural[district])
        else:
            district = self.district(rng)
            town = rng.choice(self.towns[district])
        lat, lon = geo.random_point_in_district(district, rng)
        return district, town, round(lat, 6), round(lon, 6)
