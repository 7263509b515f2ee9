"""The released rows as a pandas DataFrame, the form pycanon reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import pytest

from tutela.anonymise.release import Release


def _frame(release: Release, numeric: Sequence[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(release.rows, columns=list(release.header))
    for name in numeric:  # pycanon picks the ordered distance for numeric columns only
        frame[name] = pd.to_numeric(frame[name])
    return frame.reset_index(drop=True)  # pycanon reads classes by position (iloc)


@pytest.fixture
def released_frame() -> Callable[..., pd.DataFrame]:
    """``released_frame(release, numeric=("salary",))``: the release's rows as a DataFrame."""
    return _frame
