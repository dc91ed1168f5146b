"""Synthetic demo data: `flask demo build` fills a database with a Qingdao-scale data set."""
