"""RQ job functions: thin, take ids only, call services inside the app context."""
