"""An S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, Ceph, GCS in interop mode) as the asset store.

boto3 finds credentials, region and endpoint the standard way (AWS_ACCESS_KEY_ID, AWS_PROFILE,
AWS_ENDPOINT_URL_S3, ~/.aws/config, ...), so any S3-compatible store needs nothing of ours.

Objects are named by content, `<prefix>sha256/<aa>/<digest>.<ext>`, so a file is stored once whatever its
name or folder, and two machines publishing it agree on where it goes. Each object is looked at once per
run (a HEAD: a lifecycle rule may have removed it since) and uploaded only when missing, with If-None-Match
so that two machines never race to write it. The provider gets a presigned GET, signed at submit time, or,
for a public bucket or a CDN in front of one, `assets_public_url` + the object's name.
"""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from .store import AssetError, Published

MAX_TTL_S = 7 * 24 * 3600  # SigV4's limit on a presigned URL
DEFAULT_TTL_S = 24 * 3600
INSTALL = "pip install 'storyboard-pipeline[s3]'"


@dataclass(frozen=True)
class Location:
    bucket: str
    prefix: str  # "" or ending in "/"

    @classmethod
    def parse(cls, url: str) -> Location:
        """`s3://bucket/prefix/`; AssetError for anything else."""
        scheme, _, rest = url.partition("://")
        bucket, _, prefix = rest.partition("/")
        if scheme.lower() != "s3" or not bucket:
            raise AssetError(f"assets {url!r}: give a bucket as s3://BUCKET/PREFIX/ (e.g. s3://my-films/keyframes/)")
        return cls(bucket, prefix.strip("/") + "/" if prefix.strip("/") else "")

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


class S3Store:
    remembers = True

    def __init__(self, location: Location, *, ttl_s: int = DEFAULT_TTL_S, public_url: str | None = None,
                 client=None):
        if not 1 <= ttl_s <= MAX_TTL_S:
            raise AssetError(f"assets_url_ttl {ttl_s} s: give 1 s to 7 days (presigned URLs last at most 7 days)")
        self.location, self.ttl_s = location, ttl_s
        self.public_url = public_url.rstrip("/") + "/" if public_url else None
        self.name = str(location)
        self._client = client
        self._looked_at: set[str] = set()  # objects known to be there in this run
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @property
    def client(self):
        if self._client is None:
            self._client = _new_client()
        return self._client

    def object_key(self, digest: str, path: Path) -> str:
        return f"{self.location.prefix}sha256/{digest[:2]}/{digest}{Path(path).suffix.lower()}"

    def check(self) -> None:
        """A listing of the prefix: proves the endpoint answers, the bucket exists, the credentials may read it
        and the clock is close enough to sign (a HEAD would say only "403")."""
        with _errors(self, "read"):
            self.client.list_objects_v2(Bucket=self.location.bucket, Prefix=self.location.prefix, MaxKeys=1)

    def publish(self, path: Path, digest: str) -> Published:
        key = self.object_key(digest, path)
        with self._lock_for(key):
            uploaded, size = False, Path(path).stat().st_size
            if key not in self._looked_at:
                if not self._has(key):
                    uploaded = self._put(key, Path(path))
                self._looked_at.add(key)
        return Published(url=self._url(key), location=f"s3://{self.location.bucket}/{key}", uploaded=uploaded,
                         size=size)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _has(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        with _errors(self, "read"):
            try:
                self.client.head_object(Bucket=self.location.bucket, Key=key)
                return True
            except ClientError as exc:
                if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                    return False
                raise

    def _put(self, key: str, path: Path) -> bool:
        """Upload unless the object appeared meanwhile (another machine): False then."""
        from botocore.exceptions import ClientError

        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with _errors(self, "write"), path.open("rb") as body:
            try:
                self.client.put_object(Bucket=self.location.bucket, Key=key, Body=body, ContentType=kind,
                                       IfNoneMatch="*")
                return True
            except ClientError as exc:
                if _code(exc) in ("412", "PreconditionFailed", "ConditionalRequestConflict"):
                    return False
                raise

    def _url(self, key: str) -> str:
        if self.public_url:
            return self.public_url + key
        with _errors(self, "sign"):
            return self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.location.bucket, "Key": key}, ExpiresIn=self.ttl_s)


def _new_client():
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise AssetError(f"`assets: s3://...` needs boto3, which is not installed: {INSTALL}") from None
    # SigV4 everywhere (S3 has refused V2 for years; R2 and Ceph take V4 too); a few retries for a busy store.
    config = Config(signature_version="s3v4", connect_timeout=10, read_timeout=60,
                    retries={"max_attempts": 4, "mode": "standard"})
    return boto3.session.Session().client("s3", config=config)  # a session of its own: settings read now


def _code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", "")) if hasattr(exc, "response") else ""


class _errors:
    """boto3's exceptions as AssetErrors that say which store, what failed and what to do."""

    def __init__(self, store: S3Store, doing: str):
        self.store, self.doing = store, doing

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or isinstance(exc, AssetError):
            return False
        from botocore import exceptions as boto

        where = f"the asset store {self.store.name}"
        if isinstance(exc, boto.NoCredentialsError | boto.PartialCredentialsError):
            raise AssetError(f"{where}: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                             "AWS_PROFILE (any way boto3 finds them)") from None
        if isinstance(exc, boto.EndpointConnectionError | boto.ConnectTimeoutError | boto.ReadTimeoutError):
            raise AssetError(f"{where} cannot be reached ({_endpoint(exc)}): check AWS_ENDPOINT_URL_S3 and the "
                             "network") from None
        if isinstance(exc, boto.ClientError):
            raise AssetError(f"{where}: {_explain(_code(exc), self.doing, self.store)}") from None
        if isinstance(exc, boto.BotoCoreError):
            raise AssetError(f"{where}: {exc}") from None
        if isinstance(exc, OSError):
            raise AssetError(f"{where}: cannot read the file to publish ({exc.strerror or exc})") from None
        return False


def _endpoint(exc) -> str:
    return str(getattr(exc, "kwargs", {}).get("endpoint_url", "")) or "its endpoint"


def _explain(code: str, doing: str, store: S3Store) -> str:
    bucket = store.location.bucket
    if code in ("NoSuchBucket", "404"):
        return f"there is no bucket {bucket!r}: create it, or fix `assets:`"
    if code in ("RequestTimeTooSkewed", "RequestExpired"):
        return "this machine's clock is too far from the store's for a signature to hold: set the clock right (NTP)"
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return "the store refused the credentials: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
    if code in ("AccessDenied", "403", "AllAccessDisabled"):
        return f"access denied: the credentials may not {doing} objects in {bucket!r}; grant s3:GetObject, " \
               "s3:PutObject and s3:ListBucket on the prefix"
    return f"the store answered {code or 'an error'} when asked to {doing}"
