"""estimate(): parity with `llm-energy estimate --format json`, attributes, assumptions, errors."""
import json

import pytest

import llm_energy

# The golden scenarios of tests/cli/cases.cmake, as flags and as keywords.
HEADLINE = {"tokens": "1e8", "params": "1e9"}
GPT3 = {"params": "175e9", "tokens": "300e9", "hardware": "v100-sxm2-32gb", "chips": "10000",
        "chip_hours": "3552000", "power_watts": "330", "pue": "1.1", "carbon_intensity": "429"}
SCENARIOS = {
    "headline": HEADLINE,
    "gpt3": GPT3,
    "fr_7b": {"params": 7e9, "tokens": 2e12, "hardware": "h100-sxm", "region": "FR"},
    "inference": {"model": "llama-3.1-8b", "phase": "inference", "requests": "1M", "batch_size": 64},
    "ranges": {"params": "70B", "tokens": "2T", "mfu": (0.35, 0.45), "pue": "1.1:1.3", "recompute": True},
}


def flags(kwargs):
    args = []
    for k, v in kwargs.items():
        flag = "--" + k.replace("_", "-")
        if v is True:
            args.append(flag)
        elif isinstance(v, tuple):
            args += [flag, ":".join(str(x) for x in v)]
        else:
            args += [flag, str(v)]
    return args


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_to_dict_equals_cli_json(name, cli_json):
    kwargs = SCENARIOS[name]
    want = cli_json(["estimate", *flags(kwargs), "--format", "json"])
    got = llm_energy.estimate(**kwargs).to_dict()
    assert got == want
    assert list(got) == list(want)  # the same key order


@pytest.mark.parametrize("golden,kwargs", [("headline_json", HEADLINE), ("gpt3_reproduce", GPT3)])
def test_figures_equal_the_golden_files(golden, kwargs, source_dir):
    want = json.loads((source_dir / "tests/cli/golden" / f"{golden}.out").read_text())
    got = llm_energy.estimate(**kwargs).to_dict()
    got.pop("assumptions")
    assert got == want


def test_assumptions_equal_the_golden_file(source_dir):
    want = json.loads((source_dir / "tests/cli/golden/headline_assumptions.out").read_text())
    r = llm_energy.estimate(**HEADLINE)
    assert r.to_dict()["assumptions"] == want["assumptions"]
    a = r.assumptions
    assert a["params"].origin == "flag" and a["params"].value == 1e9 and a["params"].unit == "parameters"
    assert a["hardware"].origin == "default" and a["hardware"].value == "h100-sxm"
    assert a["carbon_intensity"].origin == "catalog:world"
    assert "Ember" in a["carbon_intensity"].source
    assert a["carbon_intensity"].low <= a["carbon_intensity"].value <= a["carbon_intensity"].high


def test_config_file_parity(cli_json, source_dir):
    for config in sorted((source_dir / "configs/examples").glob("*.json")):
        want = cli_json(["estimate", "--config", str(config.relative_to(source_dir)), "--format", "json"])
        got = llm_energy.estimate(str(config.relative_to(source_dir))).to_dict()
        assert got == want, config.name


def test_config_mapping_and_keyword_override(cli_json, tmp_path):
    cfg = {"params": "7B", "tokens": "1T", "region": "DE", "budget": {"max_energy": "1GWh"}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))
    want = cli_json(["estimate", "--config", str(path), "--region", "FR", "--format", "json"])
    got = llm_energy.estimate(cfg, region="FR").to_dict()
    # The file's name appears nowhere in the figures; origins say "config" for the file's keys.
    assert got == want
    assert llm_energy.estimate(cfg).assumptions["params"].origin == "config"


def test_attributes_and_intervals():
    r = llm_energy.estimate(params=7e9, tokens=2e12, hardware="h100-sxm", region="FR")
    d = r.to_dict()
    assert r.training.energy_kwh == d["training"]["energy_kwh"]
    assert r.training["co2e_kg"] == d["training"]["co2e_kg"]
    low, high = r.training.interval.energy_kwh
    assert low <= r.training.energy_kwh <= high
    assert r.inference.tokens_per_second > 0
    assert r.region == "FR" and r.hardware == "h100-sxm" and r.phase == "both"
    assert r.budget is None and r.over_budget is False
    with pytest.raises(AttributeError, match="no figure 'nope'"):
        _ = r.training.nope
    only = llm_energy.estimate(params=7e9, tokens=2e12, phase="training")
    with pytest.raises(AttributeError):
        _ = only.inference


def test_budget_exceeded_is_a_result(cli):
    r = llm_energy.estimate(params="70B", tokens="2T", max_energy="1MWh")
    assert r.over_budget is True
    assert r.budget["within"] is False
    p = cli(["estimate", "--params", "70B", "--tokens", "2T", "--max-energy", "1MWh"])
    assert p.returncode == 1
    assert [f"llm-energy: {m}" for m in r.budget["messages"]] == p.stderr.strip().splitlines()
    within = llm_energy.estimate(params="1B", tokens="1e8", max_energy="1GWh")
    assert within.over_budget is False and within.budget["within"] is True


@pytest.mark.parametrize("kwargs,args", [
    ({"params": "abc", "tokens": "1e8"}, ["--params", "abc", "--tokens", "1e8"]),
    ({"params": 1e9, "tokens": 1e8, "hardware": "h100x"}, ["--params", "1e9", "--tokens", "1e8", "--hardware", "h100x"]),
    ({"params": 1e9, "tokens": 1e8, "region": "FR", "carbon_intensity": 50},
     ["--params", "1e9", "--tokens", "1e8", "--region", "FR", "--carbon-intensity", "50"]),
    ({"params": 1e9, "tokens": -5}, ["--params", "1e9", "--tokens=-5"]),
    ({"params": 1e9, "tokens": 1e8, "mfu": 1.5}, ["--params", "1e9", "--tokens", "1e8", "--mfu", "1.5"]),
    ({"params": 1e9, "tokens": 1e8, "phase": "serving"}, ["--params", "1e9", "--tokens", "1e8", "--phase", "serving"]),
    ({"params": float("nan"), "tokens": 1e8}, ["--params", "nan", "--tokens", "1e8"]),
    ({"params": float("inf"), "tokens": 1e8}, ["--params", "inf", "--tokens", "1e8"]),
])
def test_bad_input_raises_the_cli_message(kwargs, args, cli):
    p = cli(["estimate", *args])
    assert p.returncode == 2
    with pytest.raises(llm_energy.InputError) as e:
        llm_energy.estimate(**kwargs)
    assert isinstance(e.value, ValueError)
    assert f"llm-energy: error: {e.value}" == p.stderr.strip().splitlines()[0]


def test_unknown_keyword_suggests():
    with pytest.raises(llm_energy.InputError, match=r"unknown key 'parms'.*params"):
        llm_energy.estimate(parms=1e9, tokens=1e8)


def test_missing_config_file():
    with pytest.raises(llm_energy.InputError, match="cannot read /nonexistent.json"):
        llm_energy.estimate("/nonexistent.json")


def test_help_lists_every_field_with_unit():
    doc = llm_energy.estimate.__doc__
    for f in llm_energy.fields():
        if f["key"] == "id":
            continue
        assert f"\n{f['key']} : {f['kind']}" in doc, f["key"]
        if f["unit"] and f["kind"] not in ("text", "choice"):
            assert f"{f['key']} : {f['kind']} [{f['unit']}]" in doc
    assert "default h100-sxm" in doc and "tokens : count [tokens]" in doc


def test_version(cli):
    assert cli(["--version"]).stdout.startswith(f"llm-energy {llm_energy.__version__} ")
