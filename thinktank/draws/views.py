from flask import render_template

from thinktank.draws.labels import EXCLUSION_LABELS, PASSED_OVER_LABELS
from thinktank.draws.models import Draw
from thinktank.extensions import db
from thinktank.permissions import Role, roles


# Panel membership stays hidden from officials and experts before publication.
@roles(Role.SECRETARIAT, Role.ADMIN)
def detail(draw_id: int):
    draw = db.get_or_404(Draw, draw_id)
    return render_template("draws/detail.html", draw=draw, exclusion_labels=EXCLUSION_LABELS,
                           passed_over_labels=PASSED_OVER_LABELS)
