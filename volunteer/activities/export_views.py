"""The export of approved hours for the national volunteer service information system."""
