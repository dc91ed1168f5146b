"""Routes of gift-pack logistics: staff pages (hubs, campaigns, packing lists, runs) and drivers' pages.

The world has no hub, campaign or run: id 0 answers 404 to whoever may use the route at all (the
allowed answers on real records are in tests/logistics/test_views.py)."""
LOGIN = 302
STAFF = {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}
STAFF_MISSING = {"anonymous": LOGIN, "coordinator": 404, "outsider": 404, "admin": 404, "default": 403}
ANYONE_MISSING = {"anonymous": LOGIN, "default": 404}
EXPECTED = {
    "logistics.index": ("GET", "/logistics", STAFF),
    # No name and no kind sent: staff get the form back with the message (422).
    "logistics.open_campaign": ("POST", "/logistics/campaigns", {**STAFF, "coordinator": 422, "outsider": 422,
                                                                 "admin": 422}),
    # Adding: no name sent, so whoever may add gets the message (422); pack kinds are city-wide staff's.
    "logistics.add_hub": ("POST", "/logistics/hubs", {**STAFF, "coordinator": 422, "outsider": 422, "admin": 422}),
    "logistics.add_kind": ("POST", "/logistics/kinds", {"anonymous": LOGIN, "admin": 422, "default": 403}),
    "logistics.hub": ("GET", "/logistics/hubs/0", STAFF_MISSING),
    "logistics.move": ("POST", "/logistics/hubs/0/movements", STAFF_MISSING),
    "logistics.edit_hub": ("POST", "/logistics/hubs/0/edit", STAFF_MISSING),
    "logistics.edit_kind": ("GET", "/logistics/kinds/0", STAFF_MISSING),
    "logistics.campaign": ("GET", "/logistics/campaigns/0", STAFF_MISSING),
    "logistics.allocate": ("POST", "/logistics/campaigns/0/allocate", STAFF_MISSING),
    "logistics.confirm": ("POST", "/logistics/campaigns/0/confirm", STAFF_MISSING),
    "logistics.cancel": ("POST", "/logistics/campaigns/0/cancel", STAFF_MISSING),
    "logistics.make_packing": ("POST", "/logistics/campaigns/0/packing", STAFF_MISSING),
    "logistics.plan_runs": ("POST", "/logistics/campaigns/0/runs", STAFF_MISSING),
    "logistics.packing_file": ("GET", "/logistics/campaigns/0/hubs/0/packing.pdf", STAFF_MISSING),
    "logistics.assign_driver": ("POST", "/logistics/runs/0/driver", STAFF_MISSING),
    "logistics.assign_drivers": ("POST", "/logistics/campaigns/0/drivers", STAFF_MISSING),
    # Drivers: anyone logged in may be given a run; a run that is not theirs is a missing one.
    "logistics.deliveries": ("GET", "/deliveries", {"anonymous": LOGIN, "default": 200}),
    "logistics.run": ("GET", "/deliveries/0", ANYONE_MISSING),
    "logistics.confirm_drop": ("POST", "/deliveries/stops/0/confirm", ANYONE_MISSING),
    "logistics.finish": ("POST", "/deliveries/0/finish", ANYONE_MISSING),
}
