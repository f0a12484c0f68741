"""Calendar features for daily series."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _validate

__all__ = ["day_of_year_features"]


def day_of_year_features(index: Any) -> pd.DataFrame:
    """Day of the year as a point on a circle: ``doy_sin`` and ``doy_cos``.

    A raw day number jumps from 365 to 1 at New Year although the two days are neighbours;
    its sine and cosine make 31 December and 1 January close, as they are in the weather.

    Parameters
    ----------
    index
        A ``DatetimeIndex`` (or anything ``pandas.DatetimeIndex`` accepts), shape ``(T,)``.

    Returns
    -------
    pandas.DataFrame
        Shape ``(T, 2)``, indexed like ``index``, values in [-1, 1].
    """
    dates = _validate.dates(index, "day_of_year_features")
    days_in_year = np.where(dates.is_leap_year, 366.0, 365.0)
    angle = 2 * np.pi * (dates.dayofyear.to_numpy() - 1) / days_in_year
    return pd.DataFrame({"doy_sin": np.sin(angle), "doy_cos": np.cos(angle)}, index=dates)
