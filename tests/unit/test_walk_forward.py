"""course_utils.walk_forward: expanding-window folds and windows whose targets lie in a range."""
import numpy as np

from course_utils.walk_forward import Fold, target_windows, walk_forward_folds
from errors import clear_error


def test_folds_expand_and_tile_the_end_of_the_series():
    folds = walk_forward_folds(100, n_folds=3, test_rows=10, val_rows=5, min_train_rows=60)
    assert [fold.number for fold in folds] == [1, 2, 3]
    assert folds[0] == Fold(1, slice(0, 65), slice(65, 70), slice(70, 80))
    assert folds[-1].test == slice(90, 100)  # the last test period ends at the last row
    for before, after in zip(folds, folds[1:]):
        assert after.test.start == before.test.stop  # consecutive test periods
        assert after.train.stop == before.train.stop + 10  # the training part grows
    for fold in folds:
        assert fold.train.start == 0 and fold.train.stop == fold.val.start and fold.val.stop == fold.test.start
    assert folds[1].sizes() == (75, 5, 10)


def test_target_windows_take_inputs_from_before_the_range():
    series = np.arange(20.0)
    X, y = target_windows(series, lookback=3, rows=slice(10, 14))
    assert X.shape == (4, 3, 1) and y[:, 0].tolist() == [10, 11, 12, 13]
    assert X[0, :, 0].tolist() == [7, 8, 9]
    X2, y2 = target_windows(np.stack([series, -series], axis=1), 3, slice(10, 14), horizon=2, target=1)
    assert X2.shape == (3, 3, 2) and y2.tolist() == [[-10, -11], [-11, -12], [-12, -13]]
    assert target_windows(series, 3, slice(3, 20))[1].shape == (17, 1)


def test_errors_say_what_to_change():
    with clear_error("too few for 3 folds", "fewer or shorter folds"):
        walk_forward_folds(50, n_folds=3, test_rows=10, val_rows=5, min_train_rows=20)
    for kwargs in ({"n_rows": 0}, {"n_folds": 0}, {"test_rows": 1.5}, {"val_rows": True}, {"min_train_rows": 0}):
        arguments = {"n_rows": 100, "n_folds": 2, "test_rows": 10, "val_rows": 5} | kwargs
        with clear_error(next(iter(kwargs)), "integer >= 1"):
            walk_forward_folds(**arguments)
    series = np.arange(20.0)
    with clear_error("rows start at 2", "start at row 3 or later"):
        target_windows(series, 3, slice(2, 10))
    with clear_error("past the end", "20 rows", "end them at row 20 or earlier"):
        target_windows(series, 3, slice(10, 21))
    with clear_error("horizon=2", "1 target row(s)", "rows=slice(10, 12)"):
        target_windows(series, 3, slice(10, 11), horizon=2)
    with clear_error("step 1", "fold.test"):
        target_windows(series, 3, slice(10, 14, 2))
    with clear_error("step 1", "fold.test"):
        target_windows(series, 3, (10, 14))
    with clear_error("lookback", ">= 1"):
        target_windows(series, 0, slice(10, 14))
