"""The result file: base64 on the wire, the real CSV header and number format inside."""

from __future__ import annotations

import base64
import csv
import io

import openai
from ftwatch.sim.curves import StepMetrics
from ftwatch.sim.resultfile import HEADER, result_csv
from ftwatch.sim.world import FakeClock, World
from sim_paths import REAL_SAMPLES


async def test_the_sdk_downloads_base64_that_decodes_to_the_real_header(
        client: openai.AsyncOpenAI, world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=250, n_epochs=2)
    clock.advance(4 * 3600)
    job = await client.fine_tuning.jobs.retrieve(job_id)
    info = await client.files.retrieve(job.result_files[0])
    assert info.purpose == "fine-tune-results" and info.filename == "step_metrics.csv"
    raw = (await client.files.content(job.result_files[0])).content
    assert raw.startswith(b"c3RlcCx0cmFpbl9sb3Nz") and b"\n" not in raw
    assert info.bytes == len(raw)
    text = base64.b64decode(raw).decode()
    assert text.splitlines()[0] == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["step"]) for r in rows] == list(range(1, 251)) and text.endswith("\n")
    validated = [int(r["step"]) for r in rows if r["valid_loss"]]
    assert validated[:3] == [10, 20, 30] and 125 in validated
    steps = {e["data"]["step"]: e["data"] for e in world.events_json(job_id) if e["type"] == "metrics"}
    assert float(rows[41]["train_loss"]) == round(steps[42]["train_loss"], 5)


def test_numbers_are_printed_like_the_real_files() -> None:
    text = result_csv([StepMetrics(1, 1.523471234, 0.0), StepMetrics(2, 6.2e-05, 1.0, 0.123456789, 0.5)])
    assert text == f"{HEADER}\n1,1.52347,0.0,,\n2,6e-05,1.0,0.12346,0.5\n"


def test_the_real_base64_sample_has_the_same_form() -> None:
    raw = (REAL_SAMPLES / "metrics_genset_250steps_RAW_BASE64_as_downloaded.txt").read_bytes()
    decoded = base64.b64decode(raw).decode()
    assert decoded.splitlines()[0] == HEADER and b"\n" not in raw
    assert decoded == (REAL_SAMPLES / "metrics_genset_250steps_decoded_valid_every_10.csv").read_text()
