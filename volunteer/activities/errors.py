"""The refusals of activities' services (their messages are lazy: read in the user's language)."""


class ActivityError(Exception):
    """A refused action, with a message for the user (lazy: read in their language)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class ActivityNotFound(ActivityError):
    """No such activity, or not one this user may change."""
