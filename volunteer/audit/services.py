"""Write and read the audit trail."""
from sqlalchemy import select

from ..extensions import db
from .models import AuditEntry


def log(user, action: str, collection: str, object_id: int | None, reason: str = "", via: str = "web",
        commit: bool = True) -> AuditEntry:
    """Record one access (view, deny, update, delete, export, import)."""
    entry = AuditEntry(user_id=getattr(user, "id", None), action=action, collection=collection,
                       object_id=object_id, reason=reason[:80], via=via)
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


def for_object(collection: str, object_id: int, limit: int = 200) -> list[AuditEntry]:
    """Return the newest audit rows about one record."""
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.collection == collection, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id.desc()).limit(limit)).all()
