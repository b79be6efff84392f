"""The per-request random source."""

import random

from hypothesis import given
from hypothesis import strategies as st

from mockserver.call import seeded_random


@given(st.integers(0, 2**64 - 1))
def test_seeded_random_draws_what_random_random_draws(seed: int) -> None:
    ours, stdlib = seeded_random(seed), random.Random(seed)
    assert type(ours) is random.Random
    assert [ours.random() for _ in range(5)] == [stdlib.random() for _ in range(5)]
    assert ours.randbytes(20) == stdlib.randbytes(20)
    assert ours.randrange(1000) == stdlib.randrange(1000)
    assert ours.gauss(0, 1) == stdlib.gauss(0, 1)
