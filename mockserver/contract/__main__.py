"""`python -m mockserver.contract ...`: the contract command on its own."""

import sys

from .command import main

sys.exit(main())
