# The C++ binding (src/python/module.cpp); the llm_energy package wraps it.
from typing import Any, List, Optional, Sequence, Tuple

__version__: str

class InputError(ValueError): ...

def fields() -> List[Tuple[str, str, str, str, List[str]]]: ...
def estimate(
    flags: Sequence[Tuple[str, str]],
    config_text: str,
    config_name: str,
    budget_on: str,
    warn_at: str,
    hardware_files: Sequence[str],
    regions_files: Sequence[str],
    profile: str,
) -> Tuple[str, Optional[str], bool]: ...

class Batch:
    def __init__(
        self,
        base: Sequence[Tuple[str, str]],
        budget_on: str,
        warn_at: str,
        hardware_files: Sequence[str],
        regions_files: Sequence[str],
    ) -> None: ...
    def run(self, rows: List[Any]) -> List[Tuple[bool, str]]: ...

class Meter:
    def __init__(
        self,
        interval: str,
        region: str,
        carbon_intensity: str,
        pue: str,
        hardware: str,
        chips: str,
        powercap_root: str,
        nvml_library: str,
        hardware_files: Sequence[str],
        regions_files: Sequence[str],
    ) -> None: ...
    def start(self) -> None: ...
    def stop(self, command: Sequence[str], exit_code: int) -> Tuple[str, str]: ...

def run_cli(args: Sequence[str]) -> Tuple[int, bytes, bytes]: ...
