"""`python -m pipeline.fake_luma [--port N] ...`: the same as `pipeline fake-luma`."""

import sys

from ..cli import main

sys.exit(main(["fake-luma", *sys.argv[1:]]))
