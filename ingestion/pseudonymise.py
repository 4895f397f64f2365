"""Personal data (Decree 13/2023/NĐ-CP): keyed HMAC-SHA256 at ingestion, clear values never stored.

The hash is taken of a canonical form, so the same person matches across vendors whatever the
export did to the text: NFC, trimmed, inner blanks collapsed; names case-folded; identity and
phone numbers without blanks, dots or dashes, phones with +84/84 written as the leading 0.
Each distinct value is hashed once (dictionary encoding), not once per row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.normalise import as_text

ENV_VAR = "CHISO_PII_KEY"
MIN_KEY_BYTES = 16
REDACTED = "<pii>"


class PiiKeyError(RuntimeError):
    """The pseudonymisation key is missing or unusable; nothing may be loaded without it."""


def pii_key_from_env(env_var: str = ENV_VAR) -> bytes:
    """The key from CHISO_PII_KEY (as UTF-8 bytes); a clear error if it is unset or weak."""
    value = os.environ.get(env_var, "")
    if not value.strip():
        raise PiiKeyError(
            f"{env_var} is not set: personal data (names, CCCD, phones) is pseudonymised with a "
            f"keyed hash at ingestion and cannot be loaded without the key. Set it to a secret "
            f"of at least {MIN_KEY_BYTES} bytes, e.g. "
            f"`export {env_var}=$(python -c 'import secrets; print(secrets.token_hex(32))')`, "
            f"and keep it: a different key gives different hashes.")
    return check_key(value.encode("utf-8"))


def check_key(key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise PiiKeyError(
            f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes "
            f"(got {len(key) if isinstance(key, bytes | bytearray) else type(key).__name__})")
    return bytes(key)


def canonical(values: pa.Array | pa.ChunkedArray, pii: str) -> pa.Array:
    text = as_text(values)
    text = pc.replace_substring_regex(text, r"\s+", " ")
    if pii == "name":
        return pc.utf8_lower(text)
    digits = pc.replace_substring_regex(text, r"[\s.\-()]", "")
    if pii == "phone":
        digits = pc.replace_substring_regex(digits, r"^\+?84(\d{9,10})$", r"0\1")
    return digits


def pseudonymise(values: pa.Array | pa.ChunkedArray, pii: str, key: bytes) -> pa.Array:
    """HMAC-SHA256 (hex) of each value's canonical form; null stays null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type):
        values = as_text(values, nfc=False)
    encoded = pc.dictionary_encode(values)  # distinct values first: names repeat a lot
    distinct = canonical(encoded.dictionary, pii)
    # the key's inner and outer blocks hashed once, copied for each value: a third faster
    # than the one-shot hmac.digest, which derives them again for every value
    copy = hmac.new(key, digestmod=hashlib.sha256).copy

    def keyed(text: str) -> str:
        mac = copy()
        mac.update(text.encode("utf-8"))
        return mac.hexdigest()

    hashed = pa.array([None if v is None else keyed(v) for v in distinct.to_pylist()],
                      pa.string())
    return pc.take(hashed, encoded.indices)


def redact_json_line(line: str, sources: list[str]) -> str:
    """A broken JSON line for the quarantine, with personal values replaced (even cut ones)."""
    for source in sources:
        pattern = r'("' + re.escape(source) + r'"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\s]+)'
        line = re.sub(pattern, r'\1"' + REDACTED + '"', line)
    return line


def redact_fields(fields: list[str], header: list[str], sources: list[str]) -> list[str]:
    """A broken CSV row's fields with those under personal-data columns replaced."""
    positions = {i for i, name in enumerate(header) if name in sources}
    return [REDACTED if i in positions else f for i, f in enumerate(fields)]


def redact_message(message: str, limit: int = 300) -> str:
    """An error message fit for the manifest: first line, quoted values (maybe personal data,
    as parsers quote the offending row) replaced."""
    first = message.splitlines()[0] if message else ""
    first = re.sub(r'"[^"\n]*"?', '"…"', first)
    return re.sub(r"'[^'\n]*'?", "'…'", first)[:limit]
