"""Domain events: the transactional outbox."""
