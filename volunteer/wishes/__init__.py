"""Micro-wish events, one-donor claims, the live event board and fulfilment up to the thank-you."""
