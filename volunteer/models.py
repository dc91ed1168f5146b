"""Import every model so metadata (and Alembic) sees all tables."""
from .accounts.models import User  # noqa: F401
from .children.models import Child  # noqa: F401
from .geo.models import Division  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .orgs.models import Organisation  # noqa: F401
from .tasks.models import JobRecord  # noqa: F401
from .volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill  # noqa: F401
