"""Import every model so metadata (and Alembic) sees all tables."""
from .accounts.models import User, VerificationCode  # noqa: F401
from .api.models import ApiToken  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .children.models import AccessGrant, Child, ChildHistory, Consent  # noqa: F401
from .events.models import OutboxEvent, OutboxHandled  # noqa: F401
from .needs.models import Need, NeedSkill, Wish  # noqa: F401
from .geo.models import Division  # noqa: F401
from .matching.models import NeedPoint, Offer  # noqa: F401
from .notifications.models import ChannelChoice, Delivery, Notification  # noqa: F401
from .visits.models import AutoassignProposal, ProposalVisit, Visit, VisitAssignee, VisitPhoto, VisitReport  # noqa: F401
from .orgs.models import OrgInvitation, Organisation  # noqa: F401
from .tasks.models import JobLease, JobRecord  # noqa: F401
from .wishes.models import WishClaim, WishEvent  # noqa: F401
from .volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill  # noqa: F401
from .logistics.models import Allocation, Campaign, DeliveryRun, Hub, Movement, PackKind, Stock, Stop  # noqa: F401
from .activities.models import Activity, ActivityChild, ActivitySignup, Certificate  # noqa: F401
from .privacy.models import PrivacyConsent, PrivacyNotice  # noqa: F401
from .safeguarding.models import SafeguardingCheck  # noqa: F401
from .offline.models import IdempotencyKey  # noqa: F401
