from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from thinktank.consultations.labels import (
    FREQUENCY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
)
from thinktank.consultations.models import ConsultationSession, SeriesFrequency
from thinktank.consultations.services import Recurrence, SessionData
from thinktank.forms import ConfirmStepForm, IntegerField
from thinktank.timeutil import from_display, to_display

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def _choices(labels: dict, everything=None) -> list:
    choices = [(key.value, label) for key, label in labels.items()]
    return [("", everything)] + choices if everything is not None else choices


class SessionFilterForm(FlaskForm):
    """The list's query string; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=_choices(STATUS_LABELS, _l("All statuses")),
                         validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS, _l("All kinds")),
                       validators=[Optional()])
    topic = SelectField(_l("Topic"), choices=_choices(TOPIC_LABELS, _l("All topics")),
                        validators=[Optional()])


def _local(value):
    """A stored UTC time as the naive wall-clock time the form shows."""
    return to_display(value).replace(tzinfo=None) if value else None


def _utc(value):
    return from_display(value) if value else None


class SessionForm(FlaskForm):
    """A session's values; times are entered in the display zone."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    topic = SelectField(_l("Topic"), choices=_choices(TOPIC_LABELS))
    starts_at = DateTimeLocalField(_l("Starts at"), format=LOCAL_FORMAT,
                                   validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends at"), format=LOCAL_FORMAT,
                                 validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    online_link = StringField(_l("Online meeting link"),
                              validators=[Optional(), Length(max=500)])
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=5000)])
    rsvp_deadline = DateTimeLocalField(_l("Reply deadline"), format=LOCAL_FORMAT,
                                       validators=[Optional()])
    opinion_deadline = DateTimeLocalField(_l("Opinion deadline"), format=LOCAL_FORMAT,
                                          validators=[Optional()])
    auto_promote_backups = BooleanField(_l("Invite the next backup when an expert declines"),
                                        default=True)

    TIME_FIELDS = ("starts_at", "ends_at", "rsvp_deadline", "opinion_deadline")

    def fill_from(self, session: ConsultationSession) -> None:
        """Show a stored session, its times in the display zone."""
        self.process(obj=session)
        for name in self.TIME_FIELDS:
            self[name].data = _local(getattr(session, name))

    def to_data(self) -> SessionData:
        def text(value):
            return (value or "").strip() or None

        return SessionData(
            title=self.title.data.strip(),
            kind=self.kind.data,
            topic=self.topic.data,
            starts_at=_utc(self.starts_at.data),
            ends_at=_utc(self.ends_at.data),
            place=text(self.place.data),
            online_link=text(self.online_link.data),
            agenda=(self.agenda.data or "").strip(),
            rsvp_deadline=_utc(self.rsvp_deadline.data),
            opinion_deadline=_utc(self.opinion_deadline.data),
            auto_promote_backups=self.auto_promote_backups.data,
        )


class SeriesForm(SessionForm):
    """The first session of a series and how it recurs."""

    frequency = SelectField(_l("Repeats"), choices=_choices(FREQUENCY_LABELS))
    interval = IntegerField(_l("Every"), default=1,
                            validators=[InputRequired(), NumberRange(min=1, max=12)])
    count = IntegerField(_l("Number of sessions"), validators=[Optional()])
    until = DateField(_l("Or until (date)"), validators=[Optional()])

    def to_recurrence(self) -> Recurrence:
        return Recurrence(
            frequency=SeriesFrequency(self.frequency.data),
            interval=self.interval.data,
            count=self.count.data,
            until=self.until.data,
        )


class CancelForm(ConfirmStepForm):
    """The confirmation of a cancellation (``templates/confirm_step.html``)."""

    reason = StringField(_l("Reason for the cancellation"),
                         validators=[DataRequired(), Length(max=500)])


class MaterialForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))])
