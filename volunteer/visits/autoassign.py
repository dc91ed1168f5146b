"""Auto-assignment: build the solver's problem from the database, propose, confirm."""

# Home visits to a child: made by two adults when the safeguarding setting is on.
PAIR_TYPES = ("home_visit_survey", "case_service")
