"""What kind of file an upload is, told from its first bytes, and a safe name for it.

Pure functions: no database, no storage. The client's Content-Type and the file's extension
are never trusted, so a script renamed to `offer.pdf` is refused rather than served as a PDF.
"""

import os
import unicodedata
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
PNG = "image/png"
JPEG = "image/jpeg"

# What people call each kind, for messages, and the extension a stored copy gets.
LABELS = {
    PDF: "PDF",
    DOCX: "Word (.docx)",
    XLSX: "Excel (.xlsx)",
    ZIP: "ZIP",
    PNG: "PNG",
    JPEG: "JPEG",
}
EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", ZIP: "zip", PNG: "png", JPEG: "jpg"}

HEAD_SIZE = 8
NAME_MAX = 200
FALLBACK_NAME = "document"


def detect_content_type(file) -> str | None:
    """The kind of `file` (an open binary file) from its magic number, or None when it is none
    of the known kinds. Office documents are ZIP archives told apart by their main part."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    return None


def _zip_kind(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return ZIP


def allowed_labels(content_types) -> str:
    return ", ".join(LABELS.get(t, t) for t in content_types)


def safe_name(name: str) -> str:
    """The file's own name only: no folders (either slash), no control characters, at most
    NAME_MAX characters with the extension kept."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.strip().lstrip(".").strip()
    if not name:
        return FALLBACK_NAME
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 20 else ""
        name = stem[: NAME_MAX - len(ext)] + ext
    return name
