"""Background jobs on RQ: named queues, JSON payloads (ids only), run inside an app context."""
import os

from flask import current_app, has_app_context
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from ..extensions import db

QUEUES = ("notifications", "default", "logistics")


class AppJob(Job):
    """An RQ job that runs inside the Flask app context and keeps its JobRecord up to date."""

    def _execute(self):
        from ..events.services import mark_handled

        app = _app()
        with app.app_context():
            _fresh_connections_after_fork(app)
            self._track("started")
            try:
                result = super()._execute()
            except Exception as exc:
                db.session.rollback()
                self._track("failed", error=type(exc).__name__)
                raise
            else:
                if isinstance(result, Retry):  # the job asked to run again later (e.g. its lease was held)
                    self._track("queued")
                    return result
                self._track("finished")
                mark_handled(self.id)
                return result
            finally:
                db.session.remove()

    def _track(self, status: str, error: str = "") -> None:
        from ..events.services import is_event_job
        from .services import mark

        # An event's job has no JobRecord: marking it would be two empty write transactions a job.
        if not is_event_job(self.id):
            mark(self.id, status, error=error)


_APP = None


def _app():
    global _APP
    if has_app_context():
        return current_app._get_current_object()
    if _APP is None:
        from .. import create_app

        _APP = create_app()
    return _APP


def _fresh_connections_after_fork(app):
    # A forked work horse must not share the parent's pooled database sockets.
    pid = os.getpid()
    if app.extensions.get("db_pid") != pid:
        if "db_pid" in app.extensions:
            db.engine.dispose(close=False)
        app.extensions["db_pid"] = pid


def get_queue(name: str = "default") -> Queue:
    """Return the named queue on the app's Redis."""
    return current_app.extensions["rq_queues"][name]


def init_app(app):
    """Create the named queues on the app's Redis."""
    conn = app.extensions["redis"]
    app.extensions["rq_queues"] = {
        name: Queue(name, connection=conn, serializer=JSONSerializer, job_class=AppJob,
                    is_async=app.config.get("RQ_ASYNC", True))
        for name in app.config["RQ_QUEUES"]
    }
    app.extensions["db_pid"] = os.getpid()
    from .cli import register

    register(app)
