"""Imports every model module so that the metadata (and Alembic) sees all tables."""

from thinktank.audit.models import AuditEntry  # noqa: F401
from thinktank.auth.models import LoginAttempt, User, UserRole  # noqa: F401
from thinktank.consultations.models import (  # noqa: F401
    ConsultationSession,
    Invitation,
    SessionMaterial,
    SessionSeries,
)
from thinktank.draws.models import Draw  # noqa: F401
from thinktank.experts.models import Conflict, Expert, ExpertiseField, TermRenewal  # noqa: F401
from thinktank.notices.models import Notice, NoticeRecipient  # noqa: F401
from thinktank.notifications.models import DispatcherHeartbeat, OutboxMessage  # noqa: F401
from thinktank.pagecache import CacheVersion  # noqa: F401
from thinktank.records.models import ExpertRating  # noqa: F401
from thinktank.reports.models import DocumentCounter, IssuedDocument  # noqa: F401
from thinktank.reviews.models import (  # noqa: F401
    Application,
    ApplicationAttachment,
    AvoidanceRequest,
    Criterion,
    GroupOpinion,
    OpinionConfirmation,
    PanelMember,
    ReviewGroup,
    ReviewPanel,
    ReviewRound,
    ScoreSheet,
    SheetScore,
)
