"""course_utils.features: day of the year on a circle."""
import numpy as np
import pandas as pd
import pytest

from course_utils.features import day_of_year_features
from errors import clear_error


def test_new_year_neighbours_are_close_and_midsummer_is_opposite():
    dates = pd.to_datetime(["1981-12-31", "1982-01-01", "1982-07-02"])
    features = day_of_year_features(dates)
    assert list(features.columns) == ["doy_sin", "doy_cos"]
    assert features.loc["1982-01-01"].tolist() == pytest.approx([0.0, 1.0])
    gap = np.linalg.norm(features.iloc[0] - features.iloc[1])
    assert gap < 0.02
    assert features.loc["1982-07-02", "doy_cos"] == pytest.approx(-1.0, abs=1e-3)


def test_leap_years_use_366_days():
    features = day_of_year_features(pd.to_datetime(["1984-12-31"]))
    angle = 2 * np.pi * 365 / 366
    assert features.iloc[0].tolist() == pytest.approx([np.sin(angle), np.cos(angle)])


@pytest.mark.parametrize("bad, phrases", [([], ("no dates", "at least one date")), (["not a date"], ("needs dates", "DatetimeIndex")),
                                          ([pd.NaT, "1981-01-01"], ("missing dates", "drop or fill"))])
def test_bad_dates_raise(bad, phrases):
    with clear_error(*phrases):
        day_of_year_features(bad)
