"""The audit trail: every full view of a child and every denied attempt."""
