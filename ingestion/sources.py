"""What an inbox file holds, judged by its content (magic bytes), not by its name.

One file may hold several inputs: a `.zip` export has members (`archive.zip!member.csv`, each its
own manifest entry), a `.gz` one compressed file. Text is decoded whatever its encoding:
UTF-8 (with or without BOM) is read as it is; UTF-16 and the Windows code pages Vietnamese
offices still use (Windows-1258, and 1252 for Latin text) are recognised by charset-normalizer
and transcoded to UTF-8 in memory, the encoding found going to the manifest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ingestion.pseudonymise import redact_message

UTF8_BOM = b"\xef\xbb\xbf"
SNIFF_BYTES = 1 << 16
MAX_DEPTH = 3  # an archive inside an archive inside an archive, no deeper
MAX_MEMBER_BYTES = 4 << 30  # a member larger than this once unpacked is refused (zip bombs)
ZIP_EPOCH = dt.datetime(1980, 1, 1)  # a member's date when the archiver knew none
# the encodings a Vietnamese export plausibly has; asking only these keeps the guess honest
CANDIDATE_ENCODINGS = ["utf_8", "utf_16_le", "utf_16_be", "cp1258", "cp1252"]
ENCODING_NAMES = {"utf_8": "utf-8", "utf_16": "utf-16", "utf_16_le": "utf-16-le",
                  "utf_16_be": "utf-16-be", "cp1258": "windows-1258", "cp1252": "windows-1252",
                  "utf_32": "utf-32"}
KIND_NAMES = {"csv": "CSV text", "jsonl": "JSON Lines", "parquet": "Parquet",
              "workbook": "a spreadsheet", "html": "an HTML table", "zip": "a ZIP archive",
              "gzip": "gzip-compressed data", "spss": "an SPSS data file",
              "stata": "a Stata data file"}
EXTENSION_KINDS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                   ".json": "jsonl", ".parquet": "parquet", ".xlsx": "workbook",
                   ".xlsm": "workbook", ".xls": "workbook", ".ods": "workbook",
                   ".html": "html", ".htm": "html", ".zip": "zip", ".gz": "gzip",
                   ".sav": "spss", ".zsav": "spss", ".dta": "stata"}
VN = dt.timezone(dt.timedelta(hours=7))


class UnreadableFile(Exception):
    """The whole file cannot be read; the message is the manifest's reason."""


@dataclass
class Blob:
    """One input: a file on disk, or bytes from an archive or a transcoding."""

    name: str  # lineage: inbox-relative path, `archive.zip!member.csv`
    sha256: str
    exported_at: dt.datetime  # naive Vietnam wall clock: when the export was written
    path: Path | None = None
    data: bytes | None = None
    kind: str = "csv"
    encoding: str | None = None  # text formats only
    notes: list[str] = field(default_factory=list)  # how it was read, for the manifest
    label: str | None = None  # the name whose extension says what it should be (x.csv.gz: x.csv)

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with self.path.open("rb") as handle:
            return handle.read(n)

    def tail(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[-n:]
        with self.path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - n))
            return handle.read()

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()

    def chunks(self, size: int = 1 << 22) -> Iterator[bytes]:
        if self.data is not None:
            for start in range(0, len(self.data), size):
                yield self.data[start:start + size]
            return
        with self.path.open("rb") as handle:
            while chunk := handle.read(size):
                yield chunk

    def arrow_source(self) -> str | pa.BufferReader:
        return pa.BufferReader(self.data) if self.data is not None else str(self.path)

    def filelike(self) -> io.BytesIO:
        return io.BytesIO(self.read())

    @property
    def suffix(self) -> str:
        last = re.split(r"[!#]", self.label or self.name)[-1]
        return Path(last).suffix.lower()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_time(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, VN).replace(tzinfo=None, microsecond=0)


def open_blobs(blob: Blob, depth: int = 0) -> Iterator[Blob | tuple[Blob, str]]:
    """The inputs a file holds, each sniffed and decoded: a Blob ready for its reader, or
    (blob, reason) for one that cannot be read at all."""
    try:
        blob.kind = sniff(blob)
        if blob.kind in ("zip", "gzip"):
            if depth >= MAX_DEPTH:
                raise UnreadableFile(f"archive nested more than {MAX_DEPTH} deep")
            members = list(_unpack(blob))
            if not members:
                raise UnreadableFile("empty archive (no files inside)")
            for member in members:
                if isinstance(member, tuple):
                    yield member
                else:
                    yield from open_blobs(member, depth + 1)
            return
        if blob.kind in ("csv", "jsonl", "html"):
            decode(blob)
        _note_kind(blob)
    except UnreadableFile as error:
        yield blob, str(error)
        return
    yield blob


def sniff(blob: Blob) -> str:
    head = blob.head()
    if not head:
        raise UnreadableFile("empty file (0 bytes)")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(blob)
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: a legacy .xls workbook
        return "workbook"
    if head.startswith((b"$FL2", b"$FL3")):  # SPSS system file (.sav; $FL3: compressed .zsav)
        return "spss"
    if head.startswith(b"<stata_dta>"):  # Stata 13 and later (.dta)
        return "stata"
    encoding = detect_encoding(head, complete=len(head) < SNIFF_BYTES)
    if encoding is None:
        raise UnreadableFile("not a known format: binary content that is no text, "
                             "spreadsheet, Parquet file or archive")
    text = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if not text.strip():
        raise UnreadableFile("empty file (no header, no rows)")
    start = text[:4096].lower()
    if start.startswith("<") and re.search(r"<(table|html|!doctype html)", start):
        return "html"
    if start.startswith(("{", "[")):
        return "jsonl"
    return "csv"


def _zip_kind(blob: Blob) -> str:
    try:
        with zipfile.ZipFile(blob.filelike() if blob.data is not None else blob.path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile("unreadable ZIP container (an XLSX workbook is one too): "
                             f"{redact_message(str(error))}") from None
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "workbook"
    if "mimetype" in names and "content.xml" in names:  # OpenDocument spreadsheet
        return "workbook"
    return "zip"


def _unpack(blob: Blob) -> Iterator[Blob | tuple[Blob, str]]:
    if blob.kind == "gzip":
        try:
            with gzip.GzipFile(fileobj=blob.filelike()) as unpacked:
                data = unpacked.read(MAX_MEMBER_BYTES + 1)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise UnreadableFile(f"unreadable gzip file: {redact_message(str(error))}") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise UnreadableFile(f"gzip file larger than {MAX_MEMBER_BYTES >> 30} GiB unpacked")
        # a .gz holds one file: it keeps the archive's name and content hash as its identity
        inner_name = blob.name[:-3] if blob.name.lower().endswith(".gz") else blob.name
        yield Blob(blob.name, blob.sha256, blob.exported_at, data=data, label=inner_name,
                   notes=[*blob.notes, "gzip-compressed"])
        return
    try:
        archive = zipfile.ZipFile(blob.filelike() if blob.data is not None else blob.path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(f"unreadable ZIP archive: {redact_message(str(error))}") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()
                 and not any(p.startswith(("_", ".")) for p in Path(i.filename).parts)]
        for info in sorted(infos, key=lambda i: i.filename):
            name = f"{blob.name}!{info.filename}"
            when = dt.datetime(*info.date_time)
            exported_at = when if when > ZIP_EPOCH else blob.exported_at
            if info.file_size > MAX_MEMBER_BYTES:
                reason = f"archive member larger than {MAX_MEMBER_BYTES >> 30} GiB unpacked"
            else:
                try:
                    data = archive.read(info)
                except (zipfile.BadZipFile, OSError, ValueError, RuntimeError,
                        NotImplementedError, EOFError) as error:
                    reason = f"unreadable archive member: {redact_message(str(error))}"
                else:
                    yield Blob(name, sha256_bytes(data), exported_at, data=data)
                    continue
            # no content to hash: the member is known by its archive and its name
            yield Blob(name, sha256_bytes(f"{blob.sha256}!{info.filename}".encode()),
                       exported_at, data=b""), reason


def detect_encoding(sample: bytes, *, complete: bool) -> str | None:
    """Codec of a text sample (None: not text). UTF-8 first: it is what most systems write, and
    a sample cut inside a character is still UTF-8; a UTF-8 file with a few broken bytes stays
    UTF-8 (the bytes are replaced) rather than becoming mojibake in a code page."""
    if sample.startswith(UTF8_BOM):
        return "utf-8"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if sample.count(b"\0") * 8 < len(sample):  # NUL-rich ASCII is UTF-16 without a BOM
        try:
            sample.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as error:
            if not complete and error.start >= len(sample) - 3 and error.reason == \
                    "unexpected end of data":
                return "utf-8"
        if _mostly_utf8(sample):
            return "utf-8"
    import charset_normalizer  # about 30 ms to import: only for the rare non-UTF-8 file

    even = sample[: len(sample) // 2 * 2] if not complete else sample
    best = charset_normalizer.from_bytes(even, cp_isolation=CANDIDATE_ENCODINGS).best()
    return None if best is None else best.encoding


def _mostly_utf8(sample: bytes) -> bool:
    text = sample.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127 and c != "\ufffd")
    return good > 4 * broken


def decode(blob: Blob) -> None:
    """Make the blob UTF-8 (transcoding in memory when it is not) and record its encoding."""
    head = blob.head()
    encoding = detect_encoding(head, complete=len(head) == blob.size)
    if encoding is None:
        raise UnreadableFile("not a known format: binary content that is no text")
    if encoding == "utf-8":
        blob.encoding = "utf-8"
        return
    transcode(blob, encoding)


def transcode(blob: Blob, encoding: str | None = None) -> None:
    """Decode the whole blob (guessing from all of it when no encoding is given) to UTF-8."""
    data = blob.read()
    if encoding is None:
        encoding = detect_encoding(data, complete=True)
        if encoding is None:
            raise UnreadableFile("not a known format: binary content that is no text")
    text = data.decode(encoding, errors="replace")
    broken = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    name = ENCODING_NAMES.get(encoding.replace("-", "_").lower(), encoding)
    if broken:
        bytes_ = "byte" if broken == 1 else "bytes"
        blob.notes.append(f"{broken} {bytes_} not valid {name} replaced by U+FFFD")
    blob.encoding = name
    blob.data = text.lstrip("\ufeff").encode("utf-8")
    blob.path = None


def _note_kind(blob: Blob) -> None:
    expected = EXTENSION_KINDS.get(blob.suffix)
    if expected == blob.kind:
        return
    what = KIND_NAMES.get(blob.kind, blob.kind)
    named = f"named {blob.suffix}" if blob.suffix else "without an extension"
    blob.notes.append(f"read as {what} by its content ({named})")
