"""`POST /fine_tuning/jobs` is checked the way the real API checks it, and whatever is posted, the answer keeps the
contract: a FineTuningJob that validates against OpenAI's OpenAPI yaml, or a 400 in the real error envelope naming
the offending `param`. Bodies are fuzzed well-formed (they must all succeed: the real API accepts them), malformed
(junk of every JSON type, missing keys, unicode, huge values) and mixed (a good body with one part broken)."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from ftwatch.sim.api import Api
from ftwatch.sim.server import MAX_BODY_BYTES, SimServer
from ftwatch.sim.world import FakeClock, World
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_schema import error_problems, schema_problems

TOP_LEVEL = ("model", "training_file", "hyperparameters", "suffix", "validation_file", "integrations", "seed",
             "method", "metadata")
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------------------------

text = st.text(max_size=20)
some_text = st.text(min_size=1, max_size=20)
auto = st.just("auto")
# Epochs drive the simulated job's length (and so the test's time): mostly small, the maximum sometimes.
epochs = auto | st.integers(1, 3) | st.just(50)
common = {"batch_size": auto | st.integers(1, 256),
          "learning_rate_multiplier": auto | st.floats(min_value=0, exclude_min=True, max_value=1e6,
                                                       allow_nan=False) | st.integers(1, 10),
          "n_epochs": epochs}


def hyperparameters(**extra: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={**common, **extra})


grader = st.one_of(
    st.fixed_dictionaries({"type": st.just("string_check"), "name": text, "input": text, "reference": text,
                           "operation": st.sampled_from(["eq", "ne", "like", "ilike"])}),
    st.fixed_dictionaries({"type": st.just("text_similarity"), "name": text, "input": text, "reference": text,
                           "evaluation_metric": st.sampled_from(["cosine", "bleu", "rouge_l"])}),
    st.fixed_dictionaries({"type": st.just("python"), "name": text, "source": st.text(max_size=200)},
                          optional={"image_tag": text}),
    st.fixed_dictionaries({"type": st.just("score_model"), "name": text, "model": some_text, "input": st.lists(
        st.fixed_dictionaries({"role": st.sampled_from(["user", "system"]), "content": text | st.lists(
            st.fixed_dictionaries({"type": st.just("input_text"), "text": text}) | text, max_size=2)},
            optional={"type": st.just("message")}), max_size=2)},
        optional={"range": st.tuples(st.floats(-1, 0), st.floats(0, 1)).map(list),
                  "sampling_params": st.fixed_dictionaries({}, optional={
                      "temperature": st.none() | st.floats(0, 2), "seed": st.none() | st.integers(0, 9)})}),
)
method = st.one_of(
    st.fixed_dictionaries({"type": st.just("supervised")}, optional={
        "supervised": st.fixed_dictionaries({}, optional={"hyperparameters": hyperparameters()}),
        "dpo": st.none(), "reinforcement": st.none()}),
    st.fixed_dictionaries({"type": st.just("dpo")}, optional={"dpo": st.fixed_dictionaries({}, optional={
        "hyperparameters": hyperparameters(beta=auto | st.floats(min_value=0, exclude_min=True, max_value=2))})}),
    st.fixed_dictionaries({"type": st.just("reinforcement"), "reinforcement": st.fixed_dictionaries(
        {"grader": grader}, optional={"hyperparameters": hyperparameters(
            reasoning_effort=st.sampled_from(["default", "low", "high"]), eval_interval=auto | st.integers(1, 9))})}),
)
wandb = st.fixed_dictionaries({"project": text}, optional={
    "name": st.none() | text, "entity": st.none() | text, "tags": st.lists(text, max_size=3)})
well_formed = st.fixed_dictionaries(
    {"model": st.sampled_from(["gpt-4o-mini", "gpt-4.1-nano-2025-04-14", "ft:gpt-4o-mini:org::abc"]) | some_text,
     "training_file": some_text},
    optional={
        "hyperparameters": st.none() | hyperparameters(),
        "suffix": st.none() | st.text(min_size=1, max_size=64),
        "validation_file": st.none() | text,
        "integrations": st.none() | st.lists(st.fixed_dictionaries({"type": st.just("wandb"), "wandb": wandb}),
                                             max_size=5),
        "seed": st.none() | st.integers(0, 2**31 - 1),
        "method": method,
        "metadata": st.none() | st.dictionaries(st.text(max_size=64), st.text(max_size=512), max_size=16),
    })
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.text(min_size=500, max_size=2000) | st.sampled_from(["auto", "wandb", "dpo", ""]),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.sampled_from([*TOP_LEVEL, "type", "wandb",
        "project", "tags", "hyperparameters", "n_epochs", "beta", "grader"]) | text, inner, max_size=6),
    max_leaves=12)


@st.composite
def mixed(draw: st.DrawFn) -> Any:
    """A well-formed body with one to three places broken: replaced by junk, deleted, or junk added beside."""
    body = draw(well_formed)
    for _ in range(draw(st.integers(1, 3))):
        containers = list(_containers(body))
        target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if isinstance(target, dict):
            keys = list(target)
            if target is body and draw(st.booleans()):      # mostly break something deeper than the two ids
                keys = [k for k in keys if k not in ("model", "training_file")] or keys
            if action == "add" or not keys:
                target[draw(st.sampled_from([*TOP_LEVEL, "type", "project", "beta"]) | text)] = draw(junk)
            elif action == "delete":
                del target[draw(st.sampled_from(keys))]
            else:
                target[draw(st.sampled_from(keys))] = draw(junk)
        elif target:
            index = draw(st.integers(0, len(target) - 1))
            if action == "delete":
                del target[index]
            else:
                target[index] = draw(junk)
        else:
            target.append(draw(junk))
    return body


def _containers(value: Any):
    if isinstance(value, (dict, list)):
        yield value
        for item in (value.values() if isinstance(value, dict) else value):
            yield from _containers(item)


huge = st.fixed_dictionaries({"model": st.just("gpt-4o-mini"), "training_file": st.just("file-x")}).flatmap(
    lambda base: st.one_of(
        st.builds(lambda n: {**base, "metadata": {f"k{i}": "v" for i in range(n)}}, st.integers(15, 40)),
        st.builds(lambda n: {**base, "suffix": "s" * n}, st.integers(60, 5000)),
        st.builds(lambda n: {**base, "integrations": [{"type": "wandb", "wandb": {"project": "p"}}] * n},
                  st.integers(4, 50)),
        st.builds(lambda n: {**base, "seed": n}, st.integers(2**31 - 3, 2**70) | st.integers(-(2**70), 2)),
        st.builds(lambda n: {**base, "hyperparameters": {"n_epochs": n}}, st.integers(-5, 10**30)),
    ))
raw_bytes = st.binary(max_size=40) | st.sampled_from([b"", b"null", b"[]", b'{"model": NaN}', b"{" * 5000,
                                                      b'{"model": "m", "training_file": "\\ud800"}'])

# --- checks -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Api:
    return Api(World(seed=5, clock=FakeClock()))


def post(api: Api, payload: bytes) -> tuple[int, Any]:
    response = api.handle("POST", "/v1/fine_tuning/jobs", {}, {"content-type": "application/json"}, payload)
    assert isinstance(response.body, dict)
    # What the server sends: strict JSON (no NaN), encodable as UTF-8.
    json.dumps(response.body, allow_nan=False, ensure_ascii=False).encode("utf-8")
    return response.status, response.body


def assert_keeps_the_contract(status: int, body: Any) -> None:
    if status == 200:
        assert schema_problems("FineTuningJob", body) == [], body
        assert body["status"] == "validating_files"
        return
    assert status == 400, (status, body)
    assert error_problems(body) == [], body
    error = body["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    if error["param"] is not None:
        root = error["param"].split(".")[0].split("[")[0]
        assert root in TOP_LEVEL, error
        assert error["code"], error


def encode(body: Any, ascii_only: bool) -> bytes:
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8")


@FUZZ
@given(body=st.one_of(well_formed, mixed(), junk, huge), ascii_only=st.booleans())
def test_every_create_answer_keeps_the_contract(api: Api, body: Any, ascii_only: bool) -> None:
    assert_keeps_the_contract(*post(api, encode(body, ascii_only)))


@settings(max_examples=60, deadline=None)
@given(payload=raw_bytes)
def test_bodies_that_are_not_json_objects_get_a_400_envelope(api: Api, payload: bytes) -> None:
    status, body = post(api, payload)
    if status == 200:                       # random bytes can spell a valid body only by great luck
        assert_keeps_the_contract(status, body)
    else:
        assert status == 400 and error_problems(body) == []


@FUZZ
@given(body=well_formed)
def test_well_formed_bodies_succeed_and_are_echoed(api: Api, body: dict[str, Any]) -> None:
    status, job = post(api, encode(body, False))
    assert status == 200, job
    assert schema_problems("FineTuningJob", job) == []
    assert job["training_file"] == body["training_file"]
    assert job["user_provided_suffix"] == body.get("suffix")
    assert job["metadata"] == body.get("metadata")
    if body.get("seed") is not None:
        assert job["seed"] == body["seed"]
    assert [i["wandb"]["project"] for i in job["integrations"]] == [
        i["wandb"]["project"] for i in body.get("integrations") or []]
    asked = (body.get("method") or {}).get("type", "supervised")
    assert job["method"]["type"] == asked


# --- the param of each kind of mistake ----------------------------------------------------------------------------

BASE = {"model": "gpt-4o-mini", "training_file": "file-abc"}


@pytest.mark.parametrize("changes, param, code", [
    ({"integrations": [{"type": "wandb", "wandb": {}}]}, "integrations[0].wandb.project", "missing_required_parameter"),
    ({"integrations": [{"type": "wandb", "wandb": {"project": 7}}]}, "integrations[0].wandb.project", "invalid_type"),
    ({"integrations": [{"type": "slack", "wandb": {"project": "p"}}]}, "integrations[0].type", "invalid_value"),
    ({"integrations": [{"type": "wandb", "wandb": {"project": "p", "tags": ["a", 1]}}]},
     "integrations[0].wandb.tags[1]", "invalid_type"),
    ({"integrations": [{"type": "wandb", "wandb": {"project": "p", "name": 3}}]}, "integrations[0].wandb.name",
     "invalid_type"),
    ({"integrations": [{"type": "wandb"}]}, "integrations[0].wandb", "missing_required_parameter"),
    ({"integrations": [{"type": "wandb", "wandb": {"project": "p"}}] * 6}, "integrations", "array_above_max_length"),
    ({"integrations": {"type": "wandb"}}, "integrations", "invalid_type"),
    ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata", "object_above_max_properties"),
    ({"metadata": {"k" * 65: "v"}}, "metadata", "string_above_max_length"),
    ({"metadata": {"team": "v" * 513}}, "metadata.team", "string_above_max_length"),
    ({"metadata": {"team": 1}}, "metadata.team", "invalid_type"),
    ({"suffix": "s" * 65}, "suffix", "string_above_max_length"),
    ({"suffix": ""}, "suffix", "empty_string"),
    ({"hyperparameters": {"n_epochs": 51}}, "hyperparameters.n_epochs", "integer_above_max_value"),
    ({"hyperparameters": {"batch_size": 0}}, "hyperparameters.batch_size", "integer_below_min_value"),
    ({"hyperparameters": {"batch_size": "big"}}, "hyperparameters.batch_size", "invalid_value"),
    ({"hyperparameters": {"learning_rate_multiplier": 0}}, "hyperparameters.learning_rate_multiplier",
     "decimal_below_min_value"),
    ({"hyperparameters": {"n_epochs": 2.5}}, "hyperparameters.n_epochs", "invalid_type"),
    ({"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 2.5}}}}, "method.dpo.hyperparameters.beta",
     "decimal_above_max_value"),
    ({"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0}}}}, "method.dpo.hyperparameters.beta",
     "decimal_below_min_value"),
    ({"method": {"type": "unsupervised"}}, "method.type", "invalid_value"),
    ({"method": {}}, "method.type", "missing_required_parameter"),
    ({"method": {"type": "supervised", "dpo": {"hyperparameters": {}}}}, "method.dpo", "invalid_value"),
    ({"method": {"type": "reinforcement"}}, "method.reinforcement", "missing_required_parameter"),
    ({"method": {"type": "reinforcement", "reinforcement": {}}}, "method.reinforcement.grader",
     "missing_required_parameter"),
    ({"method": {"type": "reinforcement", "reinforcement": {"grader": {"type": "label_model"}}}},
     "method.reinforcement.grader.type", "invalid_value"),
    ({"method": {"type": "reinforcement", "reinforcement": {"grader": {"type": "python", "name": "g"}}}},
     "method.reinforcement.grader.source", "missing_required_parameter"),
    ({"seed": -1}, "seed", "integer_below_min_value"),
    ({"seed": 2**31}, "seed", "integer_above_max_value"),
    ({"seed": "42"}, "seed", "invalid_type"),
    ({"validation_file": 3}, "validation_file", "invalid_type"),
    ({"model": ["gpt-4o-mini"]}, "model", "invalid_type"),
    ({"model": None}, "model", "missing_required_parameter"),
    ({"training_file": ""}, "training_file", "missing_required_parameter"),
])
def test_each_mistake_names_its_param(api: Api, changes: dict[str, Any], param: str, code: str) -> None:
    status, body = post(api, encode({**BASE, **changes}, True))
    assert status == 400 and error_problems(body) == []
    assert (body["error"]["param"], body["error"]["code"]) == (param, code), body


@pytest.mark.parametrize("changes", [
    {"suffix": "ünïcødé-模型-🚀", "metadata": {"": "", "ключ": "значение"}, "seed": 0},
    {"suffix": "x" * 64, "metadata": {"k" * 64: "v" * 512}, "seed": 2**31 - 1},
    {"suffix": None, "validation_file": None, "integrations": None, "seed": None, "metadata": None, "method": None},
    {"hyperparameters": {"batch_size": 256, "learning_rate_multiplier": 1e-9, "n_epochs": 50}},
    {"hyperparameters": {"batch_size": 4.0, "n_epochs": "auto", "learning_rate_multiplier": None}},
    {"integrations": [{"type": "wandb", "wandb": {"project": "p", "name": None, "entity": None, "tags": []}}] * 5},
    {"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}, "dpo": None,
                "reinforcement": None}},
    {"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 2, "batch_size": 1}}}},
    {"method": {"type": "reinforcement", "reinforcement": {"grader": {
        "type": "multi", "name": "m", "calculate_output": "a", "graders": {
            "type": "label_model", "name": "l", "model": "gpt-4o", "labels": ["a"], "passing_labels": ["a"],
            "input": [{"role": "user", "content": {"type": "input_image", "image_url": "https://x/y.png"}}]}}}}},
    {"unknown_parameter": {"deep": [1, 2]}, "hyperparameters": {"n_epochs": 1, "surprise": True}},
])
def test_unusual_but_valid_bodies_succeed(api: Api, changes: dict[str, Any]) -> None:
    status, job = post(api, encode({**BASE, **changes}, False))
    assert status == 200, job
    assert schema_problems("FineTuningJob", job) == []
    assert "unknown_parameter" not in job and "surprise" not in json.dumps(job)


@pytest.mark.parametrize("method", [
    {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.3}}},
    {"type": "reinforcement", "reinforcement": {"grader": {"type": "string_check", "name": "g", "input": "{{a}}",
                                                           "reference": "{{b}}", "operation": "eq"},
                                                "hyperparameters": {"eval_samples": 4}}},
])
def test_dpo_and_reinforcement_jobs_keep_their_method_through_their_life(world: World, clock: FakeClock,
                                                                         method: dict[str, Any]) -> None:
    job = world.create_from_request({**BASE, "method": method, "hyperparameters": {"n_epochs": 1}})
    for _ in range(12):
        clock.advance(600)
        now = world.job_json(job["id"])
        assert schema_problems("FineTuningJob", now) == [] and now["method"]["type"] == method["type"]
    assert now["status"] == "succeeded"
    hyper = now["method"][method["type"]]["hyperparameters"]
    assert isinstance(hyper["batch_size"], int) and hyper["n_epochs"] == now["hyperparameters"]["n_epochs"]
    assert hyper.get("beta", 0.3) == 0.3 and hyper.get("eval_samples", 4) == 4


# --- over the wire ------------------------------------------------------------------------------------------------


async def test_through_the_sdk_a_bad_integration_is_a_400_naming_its_param(client: openai.AsyncOpenAI) -> None:
    no_project: Any = [{"type": "wandb", "wandb": {"name": "run"}}]
    with pytest.raises(openai.BadRequestError) as caught:
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc", integrations=no_project)
    assert caught.value.param == "integrations[0].wandb.project" and caught.value.code == "missing_required_parameter"
    assert error_problems(caught.value.response.json()) == []
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file="file-abc", suffix="ok", metadata={"team": "ml"},
        integrations=[{"type": "wandb", "wandb": {"project": "proj", "tags": ["a"]}}],
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}})
    raw = json.loads(job.model_dump_json())
    assert raw["integrations"] == [{"type": "wandb", "wandb": {"project": "proj", "name": None, "entity": None,
                                                                "tags": ["a"]}}]
    assert raw["method"]["dpo"]["hyperparameters"]["beta"] == 0.1


async def test_the_server_answers_junk_and_oversized_bodies_in_the_envelope(server: SimServer) -> None:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    try:
        for content in (b"{\"model\": ", b"\xff\xfe\x00", b"[" * 100_000, b"x" * (MAX_BODY_BYTES + 10)):
            with pytest.raises(openai.APIStatusError) as caught:
                await client.post("/fine_tuning/jobs", cast_to=object, content=content,
                                  options={"headers": {"content-type": "application/json"}})
            assert caught.value.status_code in (400, 413)
            assert error_problems(caught.value.response.json()) == []
    finally:
        await client.close()


async def test_a_simulator_bug_is_a_500_in_the_envelope_not_a_text_page(server: SimServer, world: World,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(body: Any) -> dict[str, Any]:
        raise KeyError("a bug")

    monkeypatch.setattr(world, "create_from_request", broken)
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    try:
        with pytest.raises(openai.InternalServerError) as caught:
            await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc")
    finally:
        await client.close()
    assert caught.value.response.headers["content-type"].startswith("application/json")
    assert error_problems(caught.value.response.json()) == []
