"""THE REFERENCE BEING MEASURED, not course code: source tutorial 000's AAPL case study as written.

This script re-implements, step by step, what the tutorial's case study does, including its
known mistakes, so that `make bench` can time it and score it beside the course's notebook 06
on the same machine. Do not copy anything from here into the course:

* the min-max scaler is fitted on ALL closing prices, test years included (a leak);
* the split is the first ceil(80 %) of the rows for training; the test windows start 60 rows
  before the split;
* windows are cut with the tutorial's loop, which stops one window early (``len - 60 - 1``);
* two LSTM(50) layers with Dropout(0.2), Dense(25), Dense(1), Adam, MSE;
* ``batch_size=1`` for 10 epochs (about 84,000 weight updates on the whole file).

Two things are added, neither of which changes the training: a seed (the tutorial has none), so
that a rerun gives the same numbers, and the persistence forecast (tomorrow's close = today's)
scored on the same test targets, plus both scored on the course's test days when
``--common-from/--common-to`` are given. Predictions are matched to the dates of their own
targets here, not pasted by position as in the tutorial.

    python bench/tutorial_000_aapl.py --json bench/out/tutorial_000_aapl.json
    python bench/tutorial_000_aapl.py --json /tmp/t.json --epochs 1 --last-rows 400   # a quick check
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

TIME_STEP = 60  # the tutorial's window length


def tutorial_windows(scaled: np.ndarray, time_step: int = TIME_STEP) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's window loop, off by one as written: the last usable window is dropped."""
    inputs, targets = [], []
    for start in range(len(scaled) - time_step - 1):
        inputs.append(scaled[start:start + time_step, 0])
        targets.append(scaled[start + time_step, 0])
    return np.array(inputs)[..., np.newaxis], np.array(targets)


def build_tutorial_model(time_step: int = TIME_STEP):
    """The tutorial's network: LSTM(50) -> Dropout -> LSTM(50) -> Dropout -> Dense(25) -> Dense(1)."""
    import keras

    model = keras.Sequential([
        keras.Input(shape=(time_step, 1)),
        keras.layers.LSTM(50, return_sequences=True),
        keras.layers.Dropout(0.2),
        keras.layers.LSTM(50, return_sequences=False),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(25),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


def _scores(truth: np.ndarray, forecast: np.ndarray, previous: np.ndarray) -> dict[str, float]:
    return {"RMSE": math.sqrt(float(np.mean((truth - forecast) ** 2))),
            "persistence RMSE": math.sqrt(float(np.mean((truth - previous) ** 2))), "days": int(len(truth))}


def run(epochs: int = 10, last_rows: int | None = None, common: tuple[str, str] | None = None,
        seed: int = 42) -> dict:
    """Train and score the tutorial's model; return what was measured (seconds, RMSEs in US$)."""
    from sklearn.preprocessing import MinMaxScaler

    from course_utils.config import set_seed
    from course_utils.datasets import load_aapl

    close = load_aapl()["Close"]
    if last_rows:
        close = close.iloc[-last_rows:]
    dataset = close.to_numpy().reshape(-1, 1)
    scaler = MinMaxScaler(feature_range=(0, 1))
    scaled = scaler.fit_transform(dataset)  # THE LEAK: fitted on every row, test years included
    training_len = int(np.ceil(len(dataset) * 0.8))
    X_train, y_train = tutorial_windows(scaled[:training_len])
    test_block = scaled[training_len - TIME_STEP:]
    X_test, y_test = tutorial_windows(test_block)
    # target i of the test block is row training_len + i of the series (the loop drops the last one)
    test_dates = close.index[training_len:training_len + len(y_test)]

    set_seed(seed)
    model = build_tutorial_model()
    start = time.perf_counter()
    model.fit(X_train, y_train, batch_size=1, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - start

    forecast = scaler.inverse_transform(model.predict(X_test, verbose=0))[:, 0]
    truth = scaler.inverse_transform(y_test.reshape(-1, 1))[:, 0]
    previous = scaler.inverse_transform(X_test[:, -1, :])[:, 0]
    assert np.allclose(truth, close.loc[test_dates].to_numpy(), rtol=1e-6)
    own = {**_scores(truth, forecast, previous), "from": f"{test_dates[0]:%Y-%m-%d}",
           "to": f"{test_dates[-1]:%Y-%m-%d}", "data": f"all {len(close):,} closes from {close.index[0]:%Y}, 80/20 split"}
    result = {"epochs": epochs, "batch size": 1, "training windows": int(len(X_train)),
              "largest scaled training target": float(y_train.max()), "largest scaled test target": float(y_test.max()),
              "weight updates": int(len(X_train) * epochs), "training s": seconds, "own test period": own}
    if common:
        inside = (test_dates >= common[0]) & (test_dates <= common[1])
        if inside.any():
            result["course test period"] = _scores(truth[inside], forecast[inside], previous[inside])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True, help="where to write the measurements")
    parser.add_argument("--epochs", type=int, default=10, help="10, as written (fewer only for a quick check)")
    parser.add_argument("--last-rows", type=int, default=None, help="use only the last rows (quick checks)")
    parser.add_argument("--common-from", help="first test date of the course's notebook 06 (YYYY-MM-DD)")
    parser.add_argument("--common-to", help="last test date of the course's notebook 06")
    args = parser.parse_args(argv)
    if args.epochs < 1 or (args.last_rows is not None and args.last_rows < 4 * TIME_STEP):
        print(f"error: --epochs must be >= 1 and --last-rows >= {4 * TIME_STEP}.", file=sys.stderr)
        return 2
    common = (args.common_from, args.common_to) if args.common_from and args.common_to else None
    result = run(args.epochs, args.last_rows, common)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"trained {result['weight updates']:,} steps in {result['training s']:.0f} s; "
          f"test RMSE ${result['own test period']['RMSE']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
