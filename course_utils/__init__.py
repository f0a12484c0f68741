"""Helpers shared by every notebook of the LSTM course.

One module per concern; import what you need, e.g.::

    from course_utils.config import FAST, pick, set_seed
    from course_utils.windows import make_windows, chronological_split, fit_scaler

Importing the package has no side effects and does not import TensorFlow. This package is
what runs inside a learner's kernel (lessons, released assignments, hidden tests); the
instructor's and maintainer's tools are in ``course_tools`` (the ``course`` command), which no
notebook imports.
"""
__version__ = "0.1.0"

__all__ = ["architectures", "baselines", "clips", "config", "covariates", "datasets", "decoding", "features", "forecast_tests", "gaps",
           "graded_quiz", "gradients", "grading", "leak_checks", "lstm_inspect", "lstm_training", "memory_tasks",
           "metrics", "multistep", "navigation", "pipelines", "plots", "protocol", "quantiles", "quiz",
           "residuals", "results", "returns", "rnn_reference", "seed_variance", "sequences", "spelling", "system",
           "text", "tuning", "walk_forward", "windows"]
