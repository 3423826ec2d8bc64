"""Holm and Benjamini-Hochberg adjustments against statsmodels' multipletests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from cxscore.errors import StatisticsError
from cxscore.stats import Adjustment, adjust_pvalues

REFERENCE_NAMES = {Adjustment.HOLM: "holm", Adjustment.BENJAMINI_HOCHBERG: "fdr_bh"}


@pytest.mark.parametrize("method", list(Adjustment))
@settings(max_examples=10, deadline=None)  # statsmodels' Holm takes ~0.1 s a call here
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60))
def test_matches_statsmodels(method: Adjustment, pvalues: list[float]) -> None:
    expected = multipletests(pvalues, method=REFERENCE_NAMES[method])[1]
    np.testing.assert_allclose(adjust_pvalues(pvalues, method), expected, rtol=1e-12, atol=1e-15)


def test_missing_pvalues_stay_missing_and_do_not_count() -> None:
    with_gaps = adjust_pvalues([0.01, np.nan, 0.04, 0.03, np.nan], "holm")
    np.testing.assert_allclose(with_gaps[[0, 2, 3]], multipletests([0.01, 0.04, 0.03], method="holm")[1])
    assert np.isnan(with_gaps[[1, 4]]).all()
    assert adjust_pvalues([]).shape == (0,)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(StatisticsError, match="Unknown p-value adjustment 'bonferroni'"):
        adjust_pvalues([0.1], "bonferroni")
    with pytest.raises(StatisticsError, match=r"within \[0, 1\], got 1.5"):
        adjust_pvalues([0.1, 1.5])


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40))
def test_holm_matches_its_textbook_definition(pvalues: list[float]) -> None:
    # Holm (1979): the i-th smallest (1-based) gets max over j <= i of min(1, (m - j + 1) p_(j)).
    m = len(pvalues)
    ranked = sorted(range(m), key=lambda i: pvalues[i])
    expected = [0.0] * m
    running = 0.0
    for position, index in enumerate(ranked, start=1):
        running = max(running, min(1.0, (m - position + 1) * pvalues[index]))
        expected[index] = running
    np.testing.assert_allclose(adjust_pvalues(pvalues, "holm"), expected, rtol=1e-12)
