"""The course's data sets: real series bundled with the package, a synthetic generator,
and loaders for a learner's own CSV file and for ``.ts`` classification files.

The bundled sets: Apple's share price, Melbourne's daily temperatures, tiny Shakespeare and
the Japanese Vowels recordings (sequences of different lengths, one speaker label each).

Every bundled file is checked on load (checksum, columns, sorted unique dates, no missing
values), so a damaged copy fails loudly instead of training on garbage. Provenance of each
file is in ``course_utils/data/SOURCES.md``.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._paths import DATA_DIR
from ._validate import count

__all__ = [
    "DATA_DIR",
    "DATASETS",
    "load_aapl",
    "load_melbourne_temperatures",
    "load_shakespeare",
    "load_japanese_vowels",
    "load_ts",
    "load_series_csv",
    "synthetic_series",
    "synthetic_noise_std",
    "check_bundled_data",
]

#: Folder holding the bundled data files and their ``SOURCES.md``.

#: File name -> md5 checksum of every bundled data set (see ``SOURCES.md``).
DATASETS: dict[str, str] = {
    "AAPL.csv": "0f6ade5217052f167feabac71b6260ce",
    "daily_min_temperatures_melbourne.csv": "5d343d678173fadff7c8474073145e73",
    "daily_max_temperatures_melbourne.csv": "57d3c9ddfbe26d563a0ed92aa1339c5d",
    "tinyshakespeare.txt": "6fb458f1232090904fb40fe944165e91",
    "JapaneseVowels_TRAIN.ts": "9165e3eec783ac6342d658685c864d19",
    "JapaneseVowels_TEST.ts": "14d15214e3ab6ac39ab2d48901d3e2a3",
}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _bundled(name: str, data_dir: Path | None = None) -> Path:
    """Path of a bundled file after checking that it exists and is unaltered."""
    path = (DATA_DIR if data_dir is None else Path(data_dir)) / name
    if not path.is_file():
        raise ValueError(
            f"The bundled data file {path} is missing. Reinstall the course "
            "(`make lab` or `pip install -e .`) or restore it with `git checkout course_utils/data`."
        )
    digest = _md5(path)
    if digest != DATASETS[name]:
        raise ValueError(
            f"The bundled data file {path} has md5 {digest}, expected {DATASETS[name]}: it was "
            "changed or damaged. Restore it with `git checkout course_utils/data`."
        )
    return path


def check_bundled_data(data_dir: Path | None = None) -> pd.DataFrame:
    """Report every bundled data set: file, size in bytes, and whether its checksum matches.

    Returns
    -------
    pandas.DataFrame
        One row per file with columns ``file``, ``bytes``, ``ok``.
    """
    folder = DATA_DIR if data_dir is None else Path(data_dir)
    rows = []
    for name, expected in DATASETS.items():
        path = folder / name
        exists = path.is_file()
        rows.append(
            {
                "file": name,
                "bytes": path.stat().st_size if exists else 0,
                "ok": exists and _md5(path) == expected,
            }
        )
    return pd.DataFrame(rows)


def _check_frame(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: columns {missing} are missing; found {list(frame.columns)}.")
    if not frame.index.is_monotonic_increasing:
        raise ValueError(f"{name}: dates are not sorted oldest first.")
    if frame.index.has_duplicates:
        raise ValueError(f"{name}: some dates occur twice.")
    if frame[columns].isna().any().any():
        raise ValueError(f"{name}: some values are missing (NaN).")


@lru_cache(maxsize=None)
def _read_aapl() -> pd.DataFrame:
    path = _bundled("AAPL.csv")
    frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
    _check_frame(frame, "AAPL.csv", ["Open", "High", "Low", "Close", "Adj Close", "Volume"])
    return frame


def load_aapl() -> pd.DataFrame:
    """Apple's daily prices, 1980-12-12 to 2022-09-28 (10,538 trading days).

    Returns
    -------
    pandas.DataFrame
        Indexed by a ``DatetimeIndex`` named ``Date``; columns ``Open``, ``High``, ``Low``,
        ``Close`` (US dollars, split-adjusted), ``Adj Close`` (also dividend-adjusted) and
        ``Volume`` (shares). A fresh copy each call: change it freely.
    """
    return _read_aapl().copy()


@lru_cache(maxsize=None)
def _read_melbourne() -> pd.DataFrame:
    frames = []
    for name, column, new in [
        ("daily_min_temperatures_melbourne.csv", "Temp", "min_temp"),
        ("daily_max_temperatures_melbourne.csv", "Temperature", "max_temp"),
    ]:
        frame = pd.read_csv(_bundled(name), parse_dates=["Date"], index_col="Date")
        _check_frame(frame, name, [column])
        frames.append(frame.rename(columns={column: new}))
    both = frames[0].join(frames[1], how="outer")
    if both.isna().any().any():
        raise ValueError("The min and max temperature files do not cover the same dates.")
    return both


def load_melbourne_temperatures(fill: str | None = "interpolate") -> pd.DataFrame:
    """Daily minimum and maximum temperatures in Melbourne, 1981-01-01 to 1990-12-31.

    The source files lack 1984-12-31 and 1988-12-31 (the last day of each leap year). This
    loader makes those two dates explicit so that the index is an unbroken daily calendar.

    Parameters
    ----------
    fill
        ``"interpolate"`` (default): the two missing days get the mean of their neighbours
        and ``imputed`` is True on them. It uses the day after the gap, so it suits a
        historical data set, not a live forecast. ``"ffill"``: they repeat the day before,
        which is all a forecaster knows on the day (causal). ``None``: the two rows are
        present with NaN values, so a lesson can find and handle the gap itself.

    Returns
    -------
    pandas.DataFrame
        3,652 rows indexed by a daily ``DatetimeIndex`` named ``Date``; columns ``min_temp``
        and ``max_temp`` (degrees Celsius) and ``imputed`` (bool).
    """
    if not (fill is None or (isinstance(fill, str) and fill in ("interpolate", "ffill"))):
        raise ValueError(f"fill must be 'interpolate', 'ffill' or None; got {fill!r}.")
    raw = _read_melbourne()
    calendar = pd.date_range(raw.index[0], raw.index[-1], freq="D", name="Date")
    frame = raw.reindex(calendar)
    frame["imputed"] = frame["min_temp"].isna()
    if fill == "interpolate":
        frame[["min_temp", "max_temp"]] = frame[["min_temp", "max_temp"]].interpolate("linear")
    elif fill == "ffill":
        frame[["min_temp", "max_temp"]] = frame[["min_temp", "max_temp"]].ffill()
    return frame


def load_shakespeare() -> str:
    """The 'tiny Shakespeare' text (1,115,394 ASCII characters, 40,000 lines)."""
    return _bundled("tinyshakespeare.txt").read_text(encoding="ascii")


#: The two parts of the Japanese Vowels data set, as the UEA/UCR archive splits them.
_VOWEL_FILES = {"train": "JapaneseVowels_TRAIN.ts", "test": "JapaneseVowels_TEST.ts"}
#: LPC cepstrum coefficients per frame, and the speakers 1..9 of the Japanese Vowels data.
_VOWEL_COEFFICIENTS, _VOWEL_SPEAKERS = 12, tuple(range(1, 10))


def _ts_header(lines: list[str], name: str) -> tuple[dict[str, str], int]:
    """The ``@key value`` lines of a ``.ts`` file and the index of the line after ``@data``."""
    header: dict[str, str] = {}
    for index, line in enumerate(lines):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if not text.startswith("@"):
            raise ValueError(f"{name}, line {index + 1} holds data, but no '@data' line comes before it. A "
                             ".ts file lists '#' comments and '@' headers, then '@data', then one case per "
                             "line: add the missing '@data' line.")
        key, _, value = text[1:].partition(" ")
        if key.lower() == "data":
            return header, index + 1
        header[key.lower()] = value.strip()
    raise ValueError(f"{name} has no '@data' line: it is not a .ts file, or it is cut short. "
                     "Restore the file (or write '@data' before the first case).")


def _ts_case(text: str, where: str, dimensions: int, classes: list[str]) -> tuple[np.ndarray, str]:
    """One case line of a ``.ts`` file -> ``(frames, dimensions)`` array and its label."""
    *fields, label = text.split(":")
    label = label.strip()
    if label not in classes:
        raise ValueError(f"{where}: the label {label!r} is not one of the classes {classes} that "
                         "'@classLabel' declares; fix the label or the header.")
    if len(fields) != dimensions:
        raise ValueError(f"{where}: {len(fields)} dimension(s) before the label, but the file declares "
                         f"'@dimensions {dimensions}'. Each case needs {dimensions} ':'-separated series.")
    series = []
    for dimension, field in enumerate(fields, 1):
        try:
            series.append([float(value) for value in field.split(",")])
        except ValueError:
            bad = next(v for v in field.split(",") if not _is_number(v))
            raise ValueError(f"{where}, dimension {dimension}: {bad.strip()!r} is not a number. Missing "
                             "values ('?') are not supported: drop or fill the case first.") from None
    lengths = sorted({len(values) for values in series})
    if len(lengths) > 1:
        raise ValueError(f"{where}: its series have unequal lengths {lengths}; every dimension of a case "
                         "needs one value per frame (the file is damaged or was edited).")
    frames = np.array(series, dtype=np.float64).T
    if not np.isfinite(frames).all():
        raise ValueError(f"{where}: a value is NaN or infinite; drop or fill the case first.")
    return frames, label


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_ts(path: str | Path) -> tuple[list[np.ndarray], np.ndarray]:
    """Read a labelled multivariate series file in the ``.ts`` format of the UEA/UCR archive.

    The format: ``#`` comment lines; ``@`` header lines (``@dimensions 12``,
    ``@classLabel true 1 2 3``, ...); a ``@data`` line; then one case per line, made of one
    comma-separated series per dimension, separated by ``:``, and the class label last. The
    cases may differ in length (``@equalLength false``); within a case every dimension has the
    same length.

    Parameters
    ----------
    path
        The ``.ts`` file.

    Returns
    -------
    sequences : list of numpy.ndarray
        One ``float64`` array of shape ``(frames_i, dimensions)`` per case, in file order.
    labels : numpy.ndarray
        The label of each case as written in the file, shape ``(n_cases,)``, dtype ``str``.

    Raises
    ------
    ValueError
        If the file is missing, has no ``@data`` line, declares no class labels or time stamps,
        or a case has the wrong number of dimensions, series of unequal lengths, a value that is
        not a number, or a label that ``@classLabel`` does not declare. The message names the
        line.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No file at {path}: check the path (relative to the notebook's folder).")
    lines = path.read_text(encoding="utf-8").splitlines()
    header, start = _ts_header(lines, path.name)
    declared = header.get("classlabel", "false").split()
    if not declared or declared[0].lower() != "true" or len(declared) < 2:
        raise ValueError(f"{path.name} declares no class labels: its header needs "
                         "'@classLabel true <label> <label> ...' for a classification data set.")
    if header.get("timestamps", "false").lower() == "true":
        raise ValueError(f"{path.name} has time stamps ('@timeStamps true'), which load_ts does not read; "
                         "export the series without time stamps.")
    dimensions = None  # without '@dimensions', the first case decides
    if "dimensions" in header:
        try:
            dimensions = int(header["dimensions"])
        except ValueError:
            raise ValueError(f"{path.name}: '@dimensions {header['dimensions']}' is not a whole number.") from None
    sequences, labels = [], []
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if text and not text.startswith("#"):
            dimensions = text.count(":") if dimensions is None else dimensions
            frames, label = _ts_case(text, f"{path.name}, line {index + 1}", dimensions, declared[1:])
            sequences.append(frames)
            labels.append(label)
    if not sequences:
        raise ValueError(f"{path.name} has no cases after its '@data' line: the file is empty or cut short.")
    return sequences, np.array(labels)


@lru_cache(maxsize=None)
def _read_vowels(split: str) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    name = _VOWEL_FILES[split]
    sequences, labels = load_ts(_bundled(name))
    if sequences[0].shape[1] != _VOWEL_COEFFICIENTS:
        raise ValueError(f"{name}: cases have {sequences[0].shape[1]} dimensions, expected "
                         f"{_VOWEL_COEFFICIENTS} LPC cepstrum coefficients. Restore it with `git checkout course_utils/data`.")
    unknown = sorted(set(labels.tolist()) - {str(s) for s in _VOWEL_SPEAKERS})
    if unknown:
        raise ValueError(f"{name}: labels {unknown} are not speakers 1 to 9. Restore it with "
                         "`git checkout course_utils/data`.")
    return tuple(sequences), labels.astype(np.int64)


def load_japanese_vowels(split: str = "train") -> tuple[list[np.ndarray], np.ndarray]:
    """Nine speakers saying the Japanese vowels /ae/: one sequence of LPC cepstra per utterance.

    Each utterance is a sequence of frames; each frame holds the 12 LPC cepstrum coefficients
    of a 12-degree linear prediction analysis of the recording (sampled at 10 kHz). The task
    is to recognise the speaker. Utterances differ in length, so the sequences do too.

    Parameters
    ----------
    split
        ``"train"``: 270 utterances, 30 per speaker, 7 to 26 frames. ``"test"``: 370
        utterances, unbalanced (24 to 88 per speaker), 7 to 29 frames. The split is the
        archive's own; take a validation set from ``"train"``.

    Returns
    -------
    sequences : list of numpy.ndarray
        One ``float64`` array of shape ``(frames_i, 12)`` per utterance, in file order. Fresh
        copies each call: change them freely.
    speakers : numpy.ndarray
        ``int64`` speaker numbers **1 to 9** (as in the source; subtract 1 for a Keras
        ``sparse_categorical_crossentropy`` target), shape ``(n_utterances,)``.

    Raises
    ------
    ValueError
        If ``split`` is not ``"train"`` or ``"test"``, or the bundled file is missing, damaged
        or malformed.
    """
    if not isinstance(split, str) or split not in _VOWEL_FILES:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")
    sequences, speakers = _read_vowels(split)
    return [frames.copy() for frames in sequences], speakers.copy()


def synthetic_noise_std(noise_amplitude: float = 0.1) -> float:
    """Standard deviation of the noise that :func:`synthetic_series` adds.

    The noise is uniform on ``[-noise_amplitude / 2, noise_amplitude / 2]``, whose standard
    deviation is ``noise_amplitude / sqrt(12)``. No forecaster can beat it on average: it is
    the noise floor of the RMSE of a next-step forecast.
    """
    if (
        isinstance(noise_amplitude, bool)
        or not isinstance(noise_amplitude, (int, float, np.integer, np.floating))
        or not np.isfinite(noise_amplitude)
        or noise_amplitude < 0
    ):
        raise ValueError(f"noise_amplitude must be a finite number >= 0; got {noise_amplitude!r}.")
    return float(noise_amplitude / np.sqrt(12.0))


def synthetic_series(
    n_series: int, n_steps: int, seed: int = 42, noise_amplitude: float = 0.1
) -> np.ndarray:
    """Independent series of two sine waves, a slow pattern and uniform noise.

    Each series is ``0.5 sin((t - a)(10 + 10 f1)) + 0.2 sin((t - b)(20 + 20 f2))
    + 0.1 sin(2 pi p t) + noise`` on ``t`` in ``[0, 1]``, with ``a, b, f1, f2, p`` drawn
    uniformly in ``[0, 1)`` per series, and noise uniform with total width
    ``noise_amplitude`` (standard deviation :func:`synthetic_noise_std`).

    Parameters
    ----------
    n_series
        Number of independent series (samples), >= 1.
    n_steps
        Time steps per series, >= 2.
    seed
        Seed of the generator; the same seed gives the same series.
    noise_amplitude
        Width of the uniform noise (0.1 in the source tutorial).

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(n_series, n_steps, 1)``.
    """
    for label, value, least in [("n_series", n_series, 1), ("n_steps", n_steps, 2)]:
        count(value, label, least)
    synthetic_noise_std(noise_amplitude)  # validates the amplitude
    rng = np.random.default_rng(seed)
    freq1, freq2, offset1, offset2, period = rng.random((5, n_series, 1))
    time = np.linspace(0.0, 1.0, n_steps)
    series = 0.5 * np.sin((time - offset1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((time - offset2) * (freq2 * 20 + 20))
    series += 0.1 * np.sin(time * period * 2 * np.pi)
    series += noise_amplitude * (rng.random((n_series, n_steps)) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


def load_series_csv(
    path: str | Path, column: str, date_column: str | None = None
) -> pd.Series:
    """Load one numeric column of a learner's own CSV file as a series.

    Parameters
    ----------
    path
        The CSV file.
    column
        Name of the column holding the values to forecast.
    date_column
        Optional column of dates; when given, the result is indexed by them and they must be
        sorted and unique.

    Returns
    -------
    pandas.Series
        ``float64`` values named ``column``, indexed by dates (``DatetimeIndex``) or by row
        number.

    Raises
    ------
    ValueError
        If the file is missing, a column is missing, a value is not a number or missing, or
        the dates do not parse, are unsorted or repeat. The message says which rows.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No file at {path}: check the path (relative to the notebook's folder).")
    frame = pd.read_csv(path)
    for name in [column] + ([date_column] if date_column is not None else []):
        if name not in frame.columns:
            raise ValueError(
                f"{path.name} has no column {name!r}; its columns are {list(frame.columns)}."
            )
    if frame.empty:
        raise ValueError(f"{path.name} has a header but no rows.")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        rows = list(frame.index[bad][:5] + 2)  # +2: header line, 1-based lines
        raise ValueError(
            f"Column {column!r} of {path.name} has {int(bad.sum())} missing or non-numeric "
            f"value(s), e.g. on lines {rows}. Clean them (drop or fill) before forecasting."
        )
    series = values.astype("float64").rename(column)
    if date_column is None:
        return series
    dates = pd.to_datetime(frame[date_column], errors="coerce")
    if dates.isna().any():
        rows = list(frame.index[dates.isna()][:5] + 2)
        raise ValueError(
            f"Column {date_column!r} of {path.name} has values that are not dates, "
            f"e.g. on lines {rows}."
        )
    if dates.duplicated().any():
        dups = sorted({str(d.date()) for d in dates[dates.duplicated()]})[:5]
        raise ValueError(
            f"{path.name} has duplicate dates {dups}: keep one row per date "
            "(for instance average the duplicates)."
        )
    if not dates.is_monotonic_increasing:
        raise ValueError(
            f"The dates in {path.name} are not sorted oldest first: sort the file by "
            f"{date_column!r} before splitting it in time."
        )
    series.index = pd.DatetimeIndex(dates, name=date_column)
    return series
