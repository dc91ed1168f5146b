"""Routes of the statistics page: staff only (their own area's figures)."""
LOGIN = 302
EXPECTED = {
    "stats.index": ("GET", "/stats", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200,
                                      "default": 403}),
    "stats.ledger": ("GET", "/stats/ledgers/children.xlsx", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200,
                                                             "admin": 200, "default": 403}),
    "stats.figures_json": ("GET", "/stats/figures.json", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200,
                                                          "admin": 200, "default": 403}),
}
