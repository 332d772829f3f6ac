"""pip install --no-build-isolation .  builds llm_energy._core with the project's CMake.

Offline with Debian bookworm's tools (cmake g++ libcli11-dev nlohmann-json3-dev libfmt-dev
python3-dev pybind11-dev python3-pybind11 python3-setuptools python3-wheel python3-pip):
nothing is downloaded. The C++ build goes to build/pip (CMake's cache is kept between runs);
CMAKE_BUILD_PARALLEL_LEVEL sets the number of compile jobs (default 2), LLM_ENERGY_CMAKE_ARGS
adds CMake arguments, and LLM_ENERGY_BUILD_DIR=build reuses a configured build directory (its
module target is built there, for the interpreter it was configured with)."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).parent.resolve()
VERSION = re.search(r"project\(llm-energy VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        given = os.environ.get("LLM_ENERGY_BUILD_DIR")
        build = pathlib.Path(given).resolve() if given else ROOT / "build" / "pip"
        if not (given and (build / "CMakeCache.txt").exists()):
            subprocess.check_call([
                "cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release", "-DLLM_ENERGY_PYTHON=ON",
                "-DLLM_ENERGY_BUILD_TESTS=OFF", f"-DPython_EXECUTABLE={sys.executable}",
                *os.environ.get("LLM_ENERGY_CMAKE_ARGS", "").split(),
            ])
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        subprocess.check_call(["cmake", "--build", str(build), "--target", "llm_energy_python", "-j", jobs])
        built = sorted((build / "python" / "llm_energy").glob("_core*.so"))
        if not built:
            raise RuntimeError(f"no _core*.so in {build / 'python' / 'llm_energy'}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="llm-energy",
    version=VERSION,
    description="Estimate the energy and carbon of training and serving large language models",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.8",
    packages=["llm_energy"],
    package_dir={"": "python"},
    package_data={"llm_energy": ["py.typed", "*.pyi"]},
    ext_modules=[CMakeExtension("llm_energy._core")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
