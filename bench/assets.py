"""What publishing keyframes to an S3 bucket costs a run: cold (every object uploaded), warm (a new run: one
HEAD per object, nothing uploaded) and within a run (the object already looked at: signing only).

    .venv/bin/python bench/assets.py [--keyframes 20] [--runs 5]

The bucket is a real S3 server, radosgw on loopback (tests/ceph_rgw.py starts it; Debian's radosgw, ceph-mon
and ceph-osd must be installed). Keyframes are 1920x1080 JPEGs of noise (about 1 MB each, as camera stills
are). Each round publishes the same set to a fresh prefix (cold), then again with a new store (warm), then
again with the same store (in-run), so the three are measured side by side; min, median and max are printed
per keyframe, with the requests the store saw.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.assets.s3 import Location, S3Store  # noqa: E402
from tests import ceph_rgw  # noqa: E402


def keyframes(folder: Path, count: int) -> list[tuple[Path, str]]:
    rng = np.random.default_rng(1)
    made = []
    for i in range(count):
        path = folder / f"key{i:03d}.jpg"
        Image.fromarray(rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)).save(path, quality=90)
        made.append((path, hashlib.sha256(path.read_bytes()).hexdigest()))
    return made


def timed(store: S3Store, files: list[tuple[Path, str]]) -> float:
    start = time.perf_counter()
    for path, digest in files:
        store.publish(path, digest)
    return (time.perf_counter() - start) / len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keyframes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    why = ceph_rgw.missing()
    if why:
        sys.exit(why)
    with tempfile.TemporaryDirectory() as tmp, ceph_rgw.running(Path(tmp) / "ceph") as gateway:
        os.environ.update(gateway.env())
        files = keyframes(Path(tmp), args.keyframes)
        size = sum(p.stat().st_size for p, _ in files) / len(files)
        bucket = "bench-" + uuid.uuid4().hex[:8]
        S3Store(Location.parse(f"s3://{bucket}/")).client.create_bucket(Bucket=bucket)
        times: dict[str, list[float]] = {"cold": [], "warm": [], "in-run": []}
        for _ in range(args.runs):
            location = Location.parse(f"s3://{bucket}/{uuid.uuid4().hex[:8]}/")
            times["cold"].append(timed(S3Store(location), files))
            warm = S3Store(location)
            times["warm"].append(timed(warm, files))
            times["in-run"].append(timed(warm, files))
        puts, heads = len(gateway.requests("PUT", bucket)), len(gateway.requests("HEAD", bucket))
    print(f"{args.keyframes} keyframes of {size / 1e6:.2f} MB, {args.runs} rounds; per keyframe:")
    for name, values in times.items():
        ms = [v * 1000 for v in values]
        print(f"  {name:7s} min {min(ms):7.2f} ms  median {statistics.median(ms):7.2f} ms  max {max(ms):7.2f} ms")
    print(f"requests at the store: {puts} PUT (one per keyframe per cold round), {heads} HEAD "
          "(one per keyframe per cold and warm round)")


if __name__ == "__main__":
    main()
