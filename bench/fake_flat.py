"""The fake Luma server for benchmarks, in its own process: quick generations and quickly rendered clips.

    python -m bench.fake_flat PORT
"""

import sys

from pipeline.fake_luma import FakeOptions, serve
from pipeline.fake_luma.testing import quick_render

if __name__ == "__main__":
    serve(FakeOptions(latency=0.2, render=quick_render), host="127.0.0.1", port=int(sys.argv[1]))
