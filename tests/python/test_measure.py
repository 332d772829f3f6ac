"""measure() and @track: the meters of `llm-energy measure` (fake powercap tree, fake NVML)."""
import json
import time

import pytest

import llm_energy

POWERCAP = "tests/fake/powercap"


def keys(o):
    """The shape of a JSON value: its keys, recursively (lists by their first item)."""
    if isinstance(o, dict):
        return {k: keys(v) for k, v in o.items()}
    if isinstance(o, list):
        return [keys(o[0])] if o else []
    return type(o).__name__ if not isinstance(o, (int, float)) or isinstance(o, bool) else "number"


def test_report_has_the_measure_commands_shape(cli, fake_nvml):
    p = cli(["measure", "--nvml-library", fake_nvml, "--powercap-root", POWERCAP, "--format", "json",
             "--output", "-", "--interval", "20ms", "--region", "FR", "--", "sleep", "0.2"])
    assert p.returncode == 0, p.stderr
    want = json.loads(p.stdout)
    with llm_energy.measure(nvml_library=fake_nvml, powercap_root=POWERCAP, interval="20ms", region="FR",
                            label=["sleep", "0.2"]) as m:
        time.sleep(0.2)
    got = m.to_dict()
    assert keys(got) == keys(want)
    assert got["schema"] == "llm-energy/measure/1"
    assert got["command"] == ["sleep", "0.2"] and got["exit_code"] == 0
    assert [d["name"] for d in got["devices"]] == [d["name"] for d in want["devices"]]
    assert got["unreadable"] == [] and m.warning == ""
    assert 0.2 <= m.duration_s < 5
    gpu0 = got["devices"][0]
    assert gpu0["method"] == "counter" and gpu0["kind"] == "gpu"
    assert got["devices"][1]["method"] == "power-sampling"
    # gpu0 draws 200 W on the fake counter.
    assert gpu0["energy_j"] == pytest.approx(200 * got["duration_s"], rel=0.25)
    assert m.energy_kwh == got["energy_kwh"] > 0 and m.co2e_kg == got["co2e_kg"]
    assert got["region"] == "FR"


def test_powercap_root_from_the_environment(monkeypatch, fake_nvml):
    monkeypatch.setenv("LLM_ENERGY_POWERCAP_ROOT", POWERCAP)
    with llm_energy.measure(nvml_library=fake_nvml) as m:
        pass
    assert "cpu-package" in [d["kind"] for d in m.report["devices"]]


def test_estimated_fallback_when_nothing_can_be_read():
    with llm_energy.measure(nvml_library="/nonexistent.so", powercap_root="/nonexistent", hardware="h100-sxm",
                            chips=2) as m:
        time.sleep(0.05)
    devices = m.report["devices"]
    assert len(devices) == 1 and devices[0]["method"] == "estimated"
    assert "cannot read NVML (/nonexistent.so)" in m.warning
    assert "cannot read powercap /nonexistent" in m.warning
    assert m.report["hardware"] == "h100-sxm" and m.report["chips"] == 2
    assert m.energy_kwh > 0


def test_track_decorator(fake_nvml):
    seen = []

    @llm_energy.track(nvml_library=fake_nvml, powercap_root=POWERCAP, interval="10ms", on_report=seen.append)
    def work(x):
        time.sleep(0.05)
        return x * 2

    assert work(21) == 42
    m = work.last_measurement
    assert m.report["command"] == ["test_track_decorator.<locals>.work"]
    assert m.report["exit_code"] == 0 and seen == [m]

    @llm_energy.track(nvml_library=fake_nvml, powercap_root=POWERCAP)
    def fails():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        fails()
    assert fails.last_measurement.report["exit_code"] == 1

    @llm_energy.track
    def plain():
        return "ok"

    assert plain() == "ok" and plain.last_measurement.report["schema"] == "llm-energy/measure/1"


def test_report_feeds_calibrate(cli, fake_nvml, tmp_path):
    with llm_energy.measure(nvml_library=fake_nvml, powercap_root=POWERCAP, hardware="h100-sxm") as m:
        time.sleep(0.1)
    report = tmp_path / "run.json"
    m.save(report)
    p = cli(["calibrate", str(report), "--hardware", "h100-sxm", "--params", "1e6", "--tokens", "1e6",
             "--output", str(tmp_path / "profile.json")])
    assert p.returncode == 0, p.stderr
    assert "calibrated h100-sxm on 1 run" in p.stdout


def test_bad_options_raise_the_cli_message(cli):
    p = cli(["measure", "--interval", "0ms", "--", "true"])
    with pytest.raises(llm_energy.InputError) as e:
        llm_energy.measure(interval="0ms")
    assert f"llm-energy: error: {e.value}" == p.stderr.strip().splitlines()[-1]
    with pytest.raises(llm_energy.InputError, match="conflicting inputs"):
        llm_energy.measure(region="FR", carbon_intensity=50)
    with pytest.raises(llm_energy.InputError, match="unknown hardware|h100x"):
        llm_energy.measure(hardware="h100x")


def test_start_and_stop_once():
    m = llm_energy.measure(nvml_library="/nonexistent.so", powercap_root="/nonexistent")
    with pytest.raises(llm_energy.InputError, match="not started"):
        m.stop()
    m.start()
    m.stop()
    with pytest.raises(llm_energy.InputError, match="already stopped"):
        m.stop()
