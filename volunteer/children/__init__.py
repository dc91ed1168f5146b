"""Children in hardship: the registry coordinators keep (extended by the children-registry issue)."""
