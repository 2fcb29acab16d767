"""Profiling-group stores: where every process of a service sends its profiles, and where `aggregate` reads them.

    s3://bucket/prefix    S3 (boto3, the `codeward[s3]` extra); AWS_ENDPOINT_URL points it elsewhere
    file:///shared/dir    a local or shared directory (NFS, EFS)

One object per report: `prefix/GROUP/YYYY/MM/DD/HH/host-pid-seq.json.gz` (UTC hour of the profile's start),
gzip-compressed JSON of the profile, which carries host, pid, start and end time and the agent's settings.
The hour folders let `aggregate --since/--until` list only the hours it needs.

Imported in the profiled program only when a group is set, and boto3 only in the uploading thread.
"""

from __future__ import annotations

import gzip
import json
import os
import time

TYPE_CHECKING = False  # typing is not imported in the profiled program
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


class StoreError(Exception):
    """A store URL that cannot be used, or an object that cannot be read or written."""


def object_key(group: str, profile: dict[str, Any], sequence: int) -> str:
    """`GROUP/YYYY/MM/DD/HH/host-pid-seq.json.gz`, the hour being the profile's start in UTC."""
    hour = time.strftime("%Y/%m/%d/%H", time.gmtime(profile["start"]))
    host = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in str(profile.get("host") or "host"))
    return f"{group}/{hour}/{host}-{profile['pid']}-{sequence}.json.gz"


def encode(profile: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(profile, separators=(",", ":")).encode("utf-8"), compresslevel=6)


def decode(data: bytes, where: str) -> dict[str, Any]:
    try:
        return json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    except (OSError, EOFError, ValueError) as exc:
        raise StoreError(f"{where}: not a gzip-compressed JSON profile ({exc})") from None


def hour_prefixes(since: float, until: float) -> Iterator[str]:
    """`YYYY/MM/DD/HH/` for every UTC hour that [since, until] touches."""
    hour = int(since // 3600) * 3600
    while hour <= until:
        yield time.strftime("%Y/%m/%d/%H/", time.gmtime(hour))
        hour += 3600


class FileStore:
    """A directory; objects are files, written to a temporary name and renamed, so readers never see half."""

    def __init__(self, url: str, root: str) -> None:
        self.url, self.root = url, root

    def put(self, key: str, data: bytes) -> None:
        path = os.path.join(self.root, *key.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.tmp{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under `prefix` (a folder path ending in /), in name order, one folder in memory at a time."""
        top = os.path.join(self.root, *prefix.strip("/").split("/"))
        if not os.path.isdir(top):
            return
        for folder, dirs, files in os.walk(top):
            dirs.sort()
            relative = os.path.relpath(folder, self.root).replace(os.sep, "/")
            for name in sorted(files):
                if name.endswith(".json.gz"):
                    yield f"{relative}/{name}"

    def get(self, key: str) -> bytes:
        try:
            with open(os.path.join(self.root, *key.split("/")), "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise StoreError(f"{self.url}: cannot read {key}: {exc.strerror or exc}") from None


class S3Store:
    """A bucket and prefix, through boto3 (imported on first use: never on the program's start-up path)."""

    def __init__(self, url: str, bucket: str, prefix: str) -> None:
        self.url, self.bucket, self.prefix = url, bucket, prefix
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise StoreError(
                    f"{self.url}: S3 stores need boto3: pip install 'codeward[s3]' (or boto3) where the program runs"
                ) from None
            # AWS_ENDPOINT_URL (S3-compatible servers, a local test server) is read by recent boto3 itself;
            # passed on for older ones. Short timeouts and no retries of botocore's own: the uploader retries.
            config = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 1})
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None
            self._client = boto3.session.Session().client("s3", endpoint_url=endpoint, config=config)
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType="application/json", ContentEncoding="gzip"
        )

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under `prefix`, page by page (1000 a page), relative to the store's prefix."""
        full = self._key(prefix.lstrip("/"))
        strip = len(self.prefix) + 1 if self.prefix else 0
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full)
            for page in pages:
                for item in page.get("Contents", []):
                    if item["Key"].endswith(".json.gz"):
                        yield item["Key"][strip:]
        except StoreError:
            raise
        except Exception as exc:  # botocore's errors: no such bucket, no credentials, the endpoint down
            raise StoreError(f"{self.url}: cannot list {full}: {exc}") from None

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"{self.url}: cannot read {key}: {exc}") from None


def open_store(url: str) -> FileStore | S3Store:
    """The store for `s3://bucket/prefix` or `file:///directory` (file://relative/dir is taken as relative)."""
    url = url.strip()
    if url.startswith("s3://"):
        bucket, _, prefix = url[5:].partition("/")
        if not bucket:
            raise StoreError(f"{url}: no bucket; expected s3://bucket/prefix")
        return S3Store(url, bucket, prefix.strip("/"))
    if url.startswith("file://"):
        path = url[7:]
        if not path:
            raise StoreError(f"{url}: no directory; expected file:///path/to/dir")
        return FileStore(url, os.path.abspath(path))
    raise StoreError(f"{url}: unknown store; expected s3://bucket/prefix or file:///directory")
