"""Working without signal: the installable app, and actions taken offline sent later (idempotency keys)."""
