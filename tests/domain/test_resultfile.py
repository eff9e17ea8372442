"""Result CSVs as the Files API serves them (base64, one line) or decoded; every real sample is right."""

from __future__ import annotations

import base64
import csv
import io
import re

import pytest

from domain.factories import SAMPLES, result_files
from ftwatch.domain.metrics.result_file import ResultFileError, parse_result_csv
from ftwatch.errors import ConfigError

FIRST_LAST = {   # file: (steps, first train loss, last train loss, rows with validation)
    "metrics_bptlab_robot_99steps_no_validation.csv": (99, 0.59335, 0.00505, 0),
    "metrics_cookbook_function_calling_gpt35_309steps.csv": (309, 3.63265, 0.0, 0),
    "metrics_genset_250steps_RAW_BASE64_as_downloaded.txt": (250, 4.41097, 0.09242, 25),
    "metrics_genset_250steps_decoded_valid_every_10.csv": (250, 4.41097, 0.09242, 25),
    "metrics_historygpt_59steps_valid_every_step.csv": (59, 1.42133, 0.46647, 59),
    "metrics_jobgpt_90steps_no_validation.csv": (90, 1.1238, 0.31436, 0),
    "metrics_jobgpt_openai_env_90steps_valid_every_step_no_trailing_newline.csv": (90, 1.80342, 0.5813, 90),
    "metrics_nlbse_issue_classification_1500steps_no_validation.csv": (1500, 3.24196, 0.0, 0),
    "metrics_nmapai_138steps_no_validation.csv": (138, 0.98207, 0.07003, 0),
    "metrics_patent_insights_1665steps_valid_every_100.csv": (1665, 1.40411, 0.30286, 16),
    "metrics_project3_24steps_valid_every_step.csv": (24, 0.64124, 0.24805, 24),
}


def test_every_sample_is_covered():
    assert sorted(FIRST_LAST) == result_files()


@pytest.mark.parametrize("name", sorted(FIRST_LAST))
def test_real_result_files(samples, name):
    content = (samples / name).read_bytes()
    points = parse_result_csv(content)
    steps, first, last, validated = FIRST_LAST[name]
    assert [p.step for p in points] == list(range(1, steps + 1))
    assert points[0].values["train_loss"] == first and points[-1].values["train_loss"] == last
    assert all(p.total_steps == steps for p in points)
    assert sum("valid_loss" in p.values for p in points) == validated
    assert all("train_mean_token_accuracy" in p.values and "train_accuracy" not in p.values for p in points)
    if validated == 0:
        assert all(set(p.values) == {"train_loss", "train_mean_token_accuracy"} for p in points)


def test_every_cell_matches_an_independent_reading(samples):
    text = (samples / "metrics_genset_250steps_decoded_valid_every_10.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    points = parse_result_csv(text)
    for row, point in zip(rows, points, strict=True):
        for column, key in (("train_loss", "train_loss"), ("valid_loss", "valid_loss"),
                            ("valid_mean_token_accuracy", "valid_mean_token_accuracy")):
            assert point.values.get(key) == (float(row[column]) if row[column] else None)


def test_base64_and_decoded_forms_agree(samples):
    raw = (samples / "metrics_genset_250steps_RAW_BASE64_as_downloaded.txt").read_bytes()
    assert raw.startswith(b"c3RlcCx0cmFpbl9sb3Nz") and b"\n" not in raw
    decoded = (samples / "metrics_genset_250steps_decoded_valid_every_10.csv").read_text()
    assert parse_result_csv(raw) == parse_result_csv(decoded) == parse_result_csv(raw.decode())


def test_line_endings_bom_and_wrapped_base64_are_fine():
    text = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\r\n1,2.5,0.4,,\r\n2,6e-05,0.5,1.0,0.7"
    assert [p.values for p in parse_result_csv("\ufeff" + text)] == [
        {"train_loss": 2.5, "train_mean_token_accuracy": 0.4},
        {"train_loss": 6e-05, "train_mean_token_accuracy": 0.5, "valid_loss": 1.0, "valid_mean_token_accuracy": 0.7}]
    wrapped = re.sub(b"(.{20})", b"\\1\n", base64.b64encode(text.encode()))
    assert len(parse_result_csv(wrapped)) == 2


def test_unknown_columns_are_kept_and_bad_rows_skipped():
    text = "step,train_mean_reward,pg_loss_sum\n1,0.4,12\nx,1,1\n2,nan,3\n"
    assert [(p.step, p.values) for p in parse_result_csv(text)] == [
        (1, {"train_mean_reward": 0.4, "pg_loss_sum": 12.0}), (2, {"pg_loss_sum": 3.0})]


@pytest.mark.parametrize("content", [b"", b"hello world", b"!!!notbase64!!!", base64.b64encode(b"loss,step\n1,2"),
                                     "steps_are,not,here\n"])
def test_malformed_content_raises_one_clear_error(content):
    with pytest.raises(ResultFileError) as caught:
        parse_result_csv(content)
    assert isinstance(caught.value, ConfigError) and "\n" not in str(caught.value)


def test_junk_cells_are_missing_values_not_errors():
    assert [(p.step, p.values) for p in parse_result_csv(b"step,a,b\n1,\x00,inf\n2,1e999,2")] == [(1, {}), (2, {"b": 2.0})]


def test_sample_directory_is_the_shared_one():
    assert SAMPLES.name == "real-samples"
