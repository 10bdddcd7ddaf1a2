"""Documents on a client's record: checked by what they are, stored under a random name, deleted
with an audit line.

A file is taken only if its content is a photo (JPEG, PNG or WebP, decoded by Pillow) or a PDF;
its name and the type the browser claims are ignored. A photo is re-encoded as a JPEG of at most
`MAX_SIDE` pixels a side: what is stored is its pixels only, without the EXIF block a phone camera
writes (which can hold the GPS position where the client was photographed) or anything hidden
after the picture. Anything that carries markup or script (an SVG, an HTML or PHP file renamed, a
file that is two formats at once, a PDF with JavaScript) is refused.

Services never commit: `attach` writes the file before the view commits (the view removes it if
the commit fails), `delete` marks the row and the view removes the file after committing.
"""

from __future__ import annotations

import enum
import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Client,
    Consent,
    Document,
    DocumentKind,
    User,
    utcnow,
)
from webapp.services import audit

# Photos are kept at most this many pixels a side (the phone downscales to the same before sending).
MAX_SIDE = 1600
# A photo larger than this is refused before its pixels are decoded (a "decompression bomb").
MAX_PIXELS = 60_000_000
JPEG_QUALITY = 85

# Markup or script in a file that says it is a photo or a PDF: a polyglot, or a renamed web page.
# Whole tags, not bare prefixes: compressed picture data matches a 5-byte pattern by chance about
# once in 10^10 bytes, a 4-byte one a hundred times as often (see docs/decisions.md).
_ACTIVE = re.compile(
    rb"<\?php|<script|<(?:svg|html|body)[\s>/]|<!doctype|<iframe|<object|<embed[\s>/]"
)
# What a PDF may not carry: script (a script action always names /JavaScript), actions that
# launch programs, embedded files, XFA forms. Long names only: a short one such as /JS turns up by
# chance in compressed streams. A PDF that spells them with #-escapes or hides them in a
# compressed object stream is not caught; PDFs are only ever downloaded, never shown in the app.
_PDF_ACTIVE = re.compile(rb"/JavaScript|/Launch|/EmbeddedFile|/RichMedia|/XFA[\s\[]")


class Refusal(enum.Enum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_ACCEPTED = "not_accepted"
    UNREADABLE_IMAGE = "unreadable_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    ACTIVE_CONTENT = "active_content"


class DocumentRefused(ValueError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Prepared:
    """What will be stored: the bytes, their type, and a photo's size."""

    content: bytes
    content_type: str
    width: int | None = None
    height: int | None = None


def prepare(data: bytes, *, max_bytes: int) -> Prepared:
    """Check a file by its content and make what is stored, or raise `DocumentRefused`."""
    if not data:
        raise DocumentRefused(Refusal.EMPTY)
    if len(data) > max_bytes:
        raise DocumentRefused(Refusal.TOO_LARGE)
    if _ACTIVE.search(data.lower()):
        raise DocumentRefused(Refusal.ACTIVE_CONTENT)
    if data.startswith(b"%PDF-"):
        return _pdf(data)
    if (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return _photo(data)
    raise DocumentRefused(Refusal.NOT_ACCEPTED)


def _pdf(data: bytes) -> Prepared:
    if b"%%EOF" not in data[-2048:]:
        raise DocumentRefused(Refusal.NOT_ACCEPTED)
    if _PDF_ACTIVE.search(data):
        raise DocumentRefused(Refusal.ACTIVE_CONTENT)
    return Prepared(content=data, content_type="application/pdf")


def _photo(data: bytes) -> Prepared:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP"):
                raise DocumentRefused(Refusal.NOT_ACCEPTED)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DocumentRefused(Refusal.TOO_MANY_PIXELS)
            image.load()
            # The camera's orientation is applied to the pixels before the EXIF block is dropped.
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                upright = upright.convert("RGBA")
                flat = Image.new("RGB", upright.size, "white")
                flat.paste(upright, mask=upright.getchannel("A"))
                upright = flat
            elif upright.mode != "RGB":
                upright = upright.convert("RGB")
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # No exif=, no icc_profile=: nothing but pixels is written.
            upright.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            return Prepared(
                content=out.getvalue(),
                content_type="image/jpeg",
                width=upright.width,
                height=upright.height,
            )
    except DocumentRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise DocumentRefused(Refusal.UNREADABLE_IMAGE) from error


def stored_path(directory: Path, document: Document) -> Path:
    return directory / document.stored_name


def attach(
    client: Client,
    *,
    case: Case | None,
    kind: DocumentKind,
    title: str,
    prepared: Prepared,
    uploaded_by: User,
    directory: Path,
    consent: Consent | None = None,
) -> Document:
    """Store the file under a new random name and record it on the client (or in the case)."""
    if case is not None and case.client_id != client.id:
        raise ValueError("The case is not this client's.")
    if consent is not None and consent.client_id != client.id:
        raise ValueError("The consent is not this client's.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = (
        f"{secrets.token_hex(20)}.{'pdf' if prepared.content_type.endswith('pdf') else 'jpg'}"
    )
    target = directory / stored_name
    partial = directory / f".{stored_name}.part"
    with open(partial, "xb") as handle:
        handle.write(prepared.content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(partial, 0o600)
    partial.replace(target)
    document = Document(
        client_id=client.id,
        case_id=case.id if case else None,
        consent_id=consent.id if consent else None,
        kind=kind,
        title=title.strip(),
        stored_name=stored_name,
        content_type=prepared.content_type,
        size=len(prepared.content),
        sha256=hashlib.sha256(prepared.content).hexdigest(),
        width=prepared.width,
        height=prepared.height,
        uploaded_by_id=uploaded_by.id,
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    audit.record(AuditAction.CREATE, "document", document.id)
    return document


def delete(document: Document, *, deleted_by: User) -> None:
    """Mark the document deleted (its row stays, for the record of who and when) and audit it.
    The view removes the file once this is committed (`remove_file`)."""
    if document.deleted_at is not None:
        return
    document.deleted_at = utcnow()
    document.deleted_by_id = deleted_by.id
    db.session.flush()
    audit.record(AuditAction.DELETE, "document", document.id)


def remove_file(directory: Path, stored_name: str) -> None:
    """The file itself, gone; a file already missing is not an error."""
    (directory / stored_name).unlink(missing_ok=True)


def read(directory: Path, document: Document) -> bytes:
    return stored_path(directory, document).read_bytes()
