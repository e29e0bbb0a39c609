"""Secrets never shown: the one place that knows what a secret looks like, and hides it from text.

    remember(key)              # a client registers its API key when it is made
    redact(text) -> str        # registered secrets, `Bearer ...` tokens and signed URL queries become ***
    install_log_redaction()    # the CLI: every log record, from any library, is redacted as it is made

A signed URL keeps its scheme, host and path (they say which file it was) and loses its whole query, since
an X-Amz-Credential names the access key and the signature lets anyone fetch the file until it expires.
Not a module of the library's flow: anything that builds text from a server's answer, or writes it out,
passes it through redact() first.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
MIN_LENGTH = 8  # a shorter "secret" would blot out ordinary words; no real key is that short
_secrets: set[str] = set()
_lock = threading.Lock()

# A credential after its scheme; eight characters at least, so prose ("any bearer key") is left alone.
_TOKEN = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/=:]{8,}", re.IGNORECASE)
_URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s\"'<>\\]+", re.IGNORECASE)
# Query parameters that sign a URL or carry a credential (S3 and GCS presigning, CloudFront, Azure SAS, ...).
_SIGNING = re.compile(r"x-amz-[\w-]+|x-goog-[\w-]+|signature|sig|token|access_token|expires|key-pair-id|policy"
                      r"|api_key|apikey|key|password|credential", re.IGNORECASE)
# The same outside a URL (a form body, a header dump); narrower, so that e.g. a shot's "key=..." survives.
_PAIR = re.compile(r"\b(x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|access_token|token"
                   r"|api_key|apikey)=[^&\s\"'<>]+", re.IGNORECASE)


def remember(secret: str | None) -> None:
    """Register a secret (an API key, a password) so that redact() hides it wherever it appears."""
    if secret and len(secret.strip()) >= MIN_LENGTH:
        with _lock:
            _secrets.add(secret.strip())


def redact(text: str) -> str:
    """`text` with every registered secret, bearer token and signed URL query replaced by ***.
    None and "" come back as they are, so a failure_reason can be passed through unchecked."""
    if not text:
        return text
    text = str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # a longer secret that contains a shorter one first
    for secret in known:
        text = text.replace(secret, MASK)
    # Each pattern only where the text holds what it needs: on a long text (the JSON plan of a long film)
    # a scan that cannot match costs more than the rest of the command. casefold() finds every spelling
    # that IGNORECASE would match (and more: the pattern decides).
    folded = text.casefold()
    if "bearer" in folded or "basic" in folded:
        text = _TOKEN.sub(lambda m: f"{m.group(1)} {MASK}", text)
    if "://" in text:
        text = _URL.sub(lambda m: unsigned(m.group(0)), text)
    return _PAIR.sub(lambda m: f"{m.group(1)}={MASK}", text) if "=" in text else text


def unsigned(url: str) -> str:
    """The URL without credentials: user:password@ and a signed query become ***."""
    rest, hash_, fragment = url.partition("#")
    base, question, query = rest.partition("?")
    scheme, sep, after = base.partition("://")
    if "@" in after.split("/", 1)[0]:
        after = f"{MASK}@{after.split('@', 1)[1]}"
    base = f"{scheme}{sep}{after}"
    names = [pair.partition("=")[0] for pair in query.split("&")] if question else []
    if any(_SIGNING.fullmatch(name) for name in names):
        query = MASK
    return f"{base}{question}{query}{hash_}{fragment}"


class RedactingFilter(logging.Filter):
    """Redacts a log record in place (message, string arguments, traceback) and lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        record.args = _redacted_args(record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: logging reports it later; leave it alone
            return True
        if redact(message) != message:  # a secret inside a non-string argument: keep only the text
            record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            shown = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(shown)
            if record.exc_text != shown:  # the exception itself holds the secret: keep only its redacted text
                record.exc_info = None
        return True


def _redacted_args(args):
    if isinstance(args, dict):
        return {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    return args


def install_log_redaction() -> None:
    """Redact every log record as it is created, whichever logger and handler it goes to (a filter on a
    logger misses the records its children propagate; one on a handler misses handlers added later)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacting", False):
        return
    check = RedactingFilter()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        check.filter(record)
        return record

    factory.redacting = True
    logging.setLogRecordFactory(factory)
