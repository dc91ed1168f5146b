"""Conversions between WGS-84 (stored), GCJ-02 (AMap/Tencent tiles) and BD-09 (Baidu); all take and return (lat, lon)."""
import eviltransform


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert a WGS-84 point to GCJ-02."""
    return eviltransform.wgs2gcj(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Convert a GCJ-02 point to WGS-84."""
    # The iterative inverse is good to ~0.1 m; the one-step gcj2wgs is off by a metre or more.
    return eviltransform.gcj2wgs_exact(lat, lon)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """Convert a WGS-84 point to BD-09."""
    return eviltransform.gcj2bd(*eviltransform.wgs2gcj(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Convert a BD-09 point to WGS-84."""
    return eviltransform.gcj2wgs_exact(*eviltransform.bd2gcj(lat, lon))
