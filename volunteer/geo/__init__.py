"""Qingdao administrative divisions, district polygons, coordinate systems and geocoding."""
