"""Domain events: an outbox written in the same transaction, handed to RQ after commit."""
