"""Files on a client's record: a photo of an ID, a signed release, a provider's report.

The file itself lives outside the database and the web root (`DOCUMENT_DIR`, by default
`instance/uploads/`) under a random name; this row says whose it is, what it is, and where it was
filed. Like a consent, a document filed in a case is seen only by those who may see that case; one
kept on the client's record (no case) by anyone who works with the client.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.accounts import User
    from webapp.models.cases import Case
    from webapp.models.clients import Client, Consent


class DocumentKind(LabelledEnum):
    ID_DOCUMENT = "id_document", N_("ID document")
    SIGNED_RELEASE = "signed_release", N_("Signed release")
    PROVIDER_REPORT = "provider_report", N_("Provider's report")
    # A photo or scan of the plan's agreement signed on paper: listed beside the paper signature.
    SIGNED_AGREEMENT = "signed_agreement", N_("Signed agreement (paper copy)")
    OTHER = "other", N_("Other document")


class Document(db.Model):
    __tablename__ = "documents"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    # The case it was filed in: only those who may see that case see it. None: the client's
    # record, seen by anyone who works with the client.
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    # A signed release names the consent it supports.
    consent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("consents.id", ondelete="SET NULL"), index=True
    )
    kind: so.Mapped[DocumentKind] = so.mapped_column(enum_column(DocumentKind))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    # Random, never the upload's own name; the file under DOCUMENT_DIR.
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    width: so.Mapped[int | None]
    height: so.Mapped[int | None]
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # A deleted document keeps its row (who, when) and loses its file.
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    deleted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    client: so.Mapped[Client] = so.relationship()
    case: so.Mapped[Case | None] = so.relationship()
    consent: so.Mapped[Consent | None] = so.relationship()
    uploaded_by: so.Mapped[User | None] = so.relationship(foreign_keys=[uploaded_by_id])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "application/pdf": "pdf"}.get(self.content_type, "bin")
