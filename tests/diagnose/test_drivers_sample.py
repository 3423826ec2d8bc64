"""The facts key drivers resample: the lowest hashes of the keys, streamed in batches with bounded memory."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator
from itertools import pairwise

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cxscore.diagnose.drivers import _lowest_hashes


def _by_full_sort(keys: list[object], size: int, seed: int) -> list[object]:
    """The sample as it was first defined: every key sorted by its blake2b digest, the first `size`."""
    return sorted(keys, key=lambda k: hashlib.blake2b(f"{k}#{seed}".encode(), digest_size=8).digest())[:size]


def _batches(keys: list[object], cuts: list[int]) -> list[pa.RecordBatch]:
    edges = sorted({0, len(keys), *(c % (len(keys) + 1) for c in cuts)})
    return [pa.record_batch({"id": keys[a:b]}) for a, b in pairwise(edges)]


@settings(max_examples=60, deadline=None)
@given(
    keys=st.one_of(
        st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=300),
        st.lists(st.integers(-(2**62), 2**62), unique=True, max_size=300),
    ),
    size=st.integers(0, 60),
    seed=st.integers(0, 2**31),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
def test_the_streamed_sample_is_the_full_sort_whatever_the_batches(
    keys: list[object], size: int, seed: int, cuts: list[int]
) -> None:
    assert _lowest_hashes(_batches(keys, cuts), size, seed) == _by_full_sort(keys, size, seed)


def test_memory_stays_bounded_by_the_sample_and_one_batch() -> None:
    # 400,000 keys in batches of 10,000: holding them all (Python strings and digests) takes tens of MB.
    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, 400_000, 10_000):
            yield pa.record_batch({"id": [f"R-{i:08d}" for i in range(start, start + 10_000)]})

    tracemalloc.start()
    try:
        picked = _lowest_hashes(batches(), 2_000, seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(picked) == 2_000 and len(set(picked)) == 2_000
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MB"
    everything = [f"R-{i:08d}" for i in range(400_000)]
    assert picked == _by_full_sort(everything, 2_000, 0)  # type: ignore[arg-type]
