"""The type stubs are generated from the field table and kept in step with it."""
import subprocess
import sys

import llm_energy


def test_stub_is_current(source_dir):
    p = subprocess.run([sys.executable, str(source_dir / "scripts/python_stubs.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_stub_names_every_field_and_public_function(source_dir):
    stub = (source_dir / "python/llm_energy/__init__.pyi").read_text()
    for f in llm_energy.fields():
        assert f"    {f['key']}: Optional[" in stub, f["key"]
    for name in llm_energy.__all__:
        assert f"def {name}(" in stub or f"class {name}(" in stub or f"class {name}:" in stub, name
    assert (source_dir / "python/llm_energy/py.typed").exists()
