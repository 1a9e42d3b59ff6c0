"""Rendering outside the web request.

A PDF render takes 0.3-3 s, too long to hold a request, so the view queues the
document on a one-thread executor of its process and answers at once; the
document page shows the progress. A document whose process dies before it is
rendered stays pending (or goes stale while rendering) and is picked up by the
scheduler's ``render_pending_job`` or by ``flask reports render-pending``.
"""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

from thinktank.reports.services import render_document, render_pending

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _render_job(app: Flask, document_id: int) -> None:
    with app.app_context():  # its own database session, as a request has
        try:
            render_document(document_id)
        except Exception:  # a thread's exception is otherwise lost in its Future
            app.logger.exception("background render of document %s failed", document_id)
            raise


def submit_render(app: Flask, document_id: int) -> Future:
    """Queue the render of a committed pending document in this process."""
    global _executor
    with _lock:
        if _executor is None:
            # One worker: renders are CPU-bound, and one at a time keeps the web workers responsive.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-render")
    return _executor.submit(_render_job, app, document_id)


def render_pending_job() -> None:
    """The scheduler's job (``thinktank/jobs.py``): render the documents left
    waiting, pending ones and renders abandoned for ``STALE_RENDER``.

    A document that a live process is rendering, or takes from its executor
    first, is not rendered twice: ``render_document`` claims each document
    with a conditional UPDATE and leaves it to whoever claimed it."""
    done, failed = render_pending()
    if done or failed:
        current_app.logger.info("documents rendered: %d, failed %d", done, failed)
