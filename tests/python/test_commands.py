"""compare, plan, schedule, validate and the catalogs: the commands' JSON reports."""
import json

import pytest

import llm_energy


def test_compare_equals_cli(cli_json):
    want = cli_json(["compare", "--params", "70B", "--tokens", "2T", "--quantize", "int8,int4", "--hardware",
                     "a100-sxm4-80gb", "--baseline-region", "FR", "--pue", "1.1:1.2", "--format", "json"])
    got = llm_energy.compare(params="70B", tokens="2T", quantize=["int8", "int4"], hardware=["a100-sxm4-80gb"],
                             baseline_region="FR", pue=(1.1, 1.2))
    assert got.to_dict() == want
    assert got.exit_code == 0


def test_plan_equals_cli(cli_json):
    want = cli_json(["plan", "--compute-budget", "1e23", "--format", "json"])
    assert llm_energy.plan(compute_budget=1e23).to_dict() == want


def test_schedule_equals_cli(cli_json):
    path = "configs/intensity/solar-heavy.csv"
    want = cli_json(["schedule", "--intensity", path, "--duration", "6h", "--energy", "1MWh", "--format", "json"])
    assert llm_energy.schedule(intensity=path, duration="6h", energy="1MWh").to_dict() == want


def test_validate_equals_cli(cli):
    p = cli(["validate", "--format", "json"])
    got = llm_energy.validate()
    assert got.to_dict() == json.loads(p.stdout)
    assert got.exit_code == p.returncode


def test_catalogs():
    hw = llm_energy.hardware()
    ids = [h["id"] for h in hw] if isinstance(hw, list) else [h["id"] for h in hw["hardware"]]
    assert "h100-sxm" in ids
    one = llm_energy.hardware("h100-sxm")
    assert one["id"] == "h100-sxm"
    assert llm_energy.regions("FR")
    assert llm_energy.models("llama-3.1-8b")
    assert llm_energy.regions() and llm_energy.models()


def test_command_errors_raise_input_error(cli):
    p = cli(["hardware", "show", "h100x"])
    with pytest.raises(llm_energy.InputError) as e:
        llm_energy.hardware("h100x")
    assert f"llm-energy: error: {e.value}" == p.stderr.strip().splitlines()[-1]
    with pytest.raises(llm_energy.InputError):
        llm_energy.plan(compute_budget="lots")
