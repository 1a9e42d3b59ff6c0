"""Imports every model module so that the metadata (and Alembic) sees all tables."""

from thinktank.audit.models import AuditEntry  # noqa: F401
from thinktank.auth.models import LoginAttempt, User, UserRole  # noqa: F401
from thinktank.draws.models import Draw  # noqa: F401
from thinktank.experts.models import Conflict, Expert, ExpertiseField  # noqa: F401
from thinktank.notifications.models import DispatcherHeartbeat, OutboxMessage  # noqa: F401
