"""Sessions in the database, as Django keeps them, read by SQL written once (SESSION_ENGINE).

Every signed-in request reads its session; the ORM compiled that one-row lookup again each time, at
several times the cost of running it. Writing, expiring and deleting sessions are Django's own, so a
logout or a password change ends a session exactly as before.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from agencyops.planned_sql import planned_cursor

SESSION_SQL = """
SELECT s.session_data FROM django_session s WHERE s.session_key = %s AND s.expire_date > %s
"""


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        # Like Django's: the session with this key unless it has expired; a key that matches none is
        # dropped, so that saving the session creates a new one instead of reviving the old key.
        with planned_cursor() as cursor:
            cursor.execute(SESSION_SQL, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(session_key=self.session_key, session_data=row[0])
