"""Shared fixtures: the CLI binary and the fake NVML library that ctest passes in the environment
(LLM_ENERGY_BIN, LLM_ENERGY_FAKE_NVML), and the source tree (tests run from its root)."""
import json
import os
import pathlib
import subprocess

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]


def _env_path(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set (run through ctest)")
    return value


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE


@pytest.fixture(scope="session")
def cli():
    """Run the llm-energy binary: cli(args, stdin=None) -> CompletedProcess (text)."""
    binary = _env_path("LLM_ENERGY_BIN")

    def run(args, stdin=None, env=None):
        return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, cwd=SOURCE,
                              env=env, timeout=120)

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    def run(args):
        p = cli(args)
        assert p.returncode in (0, 1), p.stderr
        return json.loads(p.stdout)

    return run


@pytest.fixture(scope="session")
def fake_nvml():
    return _env_path("LLM_ENERGY_FAKE_NVML")
