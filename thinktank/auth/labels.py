"""What the pages call the accounts' roles."""

from flask_babel import lazy_gettext as _l

from thinktank.permissions import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SECRETARIAT: _l("Secretariat"),
    Role.EXPERT: _l("Expert"),
    Role.OFFICIAL: _l("Official"),
}
