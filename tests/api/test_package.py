"""Package-level guarantees: no Home Assistant imports, typed marker, public names, and the
distribution metadata that makes publishing `aioenode` a release step, not a refactor."""

from __future__ import annotations

import ast
import importlib.util
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tomllib
import zipfile

import aioenode as api
from tests.api import API_DIR

PYPROJECT = tomllib.loads((API_DIR / "pyproject.toml").read_text())
TESTS_DIR = Path(__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_homeassistant_imports() -> None:
    files = sorted(API_DIR.rglob("*.py"))
    assert files
    for path in files:
        offending = {
            name for name in _imported_modules(path) if name.split(".")[0] == "homeassistant"
        }
        assert not offending, f"{path.name} imports {offending}"


def test_only_aiohttp_mashumaro_and_stdlib() -> None:
    allowed = set(sys.stdlib_module_names) | {"aiohttp", "mashumaro"}
    for path in API_DIR.rglob("*.py"):
        for name in _imported_modules(path):
            assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_py_typed_marker() -> None:
    assert (API_DIR / "py.typed").is_file()


def test_public_names_resolve() -> None:
    for name in api.__all__:
        assert getattr(api, name) is not None


def test_environment_urls() -> None:
    assert api.Environment.PRODUCTION.api_url == "https://enode-api.production.enode.io"
    assert api.Environment.PRODUCTION.token_url == "https://oauth.production.enode.io/oauth2/token"
    assert api.Environment.SANDBOX.api_url == "https://enode-api.sandbox.enode.io"
    assert api.Environment.SANDBOX.token_url == "https://oauth.sandbox.enode.io/oauth2/token"
    assert api.Environment.CUSTOM.api_url is None
    assert api.Environment.CUSTOM.token_url is None


def test_asset_type_helpers() -> None:
    expected = {
        "vehicle": ("vehicles", "vehicle"),
        "charger": ("chargers", "charger"),
        "battery": ("batteries", "battery"),
        "hvac": ("hvacs", "hvac"),
        "inverter": ("inverters", "inverter"),
        "meter": ("meters", "meter"),
        "hem-system": ("hem-systems", "hemSystem"),
    }
    assert {t.value: (t.path, t.payload_key) for t in api.AssetType} == expected
    assert api.AssetType.from_event_segment("hem-system") is api.AssetType.HEM_SYSTEM
    assert api.AssetType.from_event_segment("toaster") is None


def test_api_tests_need_neither_home_assistant_nor_the_integration() -> None:
    for path in sorted(TESTS_DIR.glob("*.py")):
        roots = {name.split(".")[0] for name in _imported_modules(path)}
        assert not roots & {"homeassistant", "custom_components"}, path.name


def test_distribution_metadata() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "aioenode"
    assert project["version"] == api.__version__
    assert [dep.split(">")[0].split("=")[0] for dep in project["dependencies"]] == [
        "aiohttp",
        "mashumaro",
    ]
    assert "Typing :: Typed" in project["classifiers"]
    assert (API_DIR / project["readme"]).is_file()
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"aioenode": "."}
    assert setuptools["package-data"] == {"aioenode": ["py.typed"]}


def _without_project_paths() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONSAFEPATH"] = "1"  # the working directory is not put on sys.path
    return env


def test_importable_on_its_own(tmp_path: Path) -> None:
    """A copy of the folder imports as `aioenode`, without Home Assistant or the integration."""
    shutil.copytree(API_DIR, tmp_path / "aioenode", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import sys, aioenode\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "assert not loaded & {'homeassistant', 'custom_components'}, loaded\n"
        "print(aioenode.__version__, aioenode.EnodeClient.__module__)"
    )
    env = _without_project_paths() | {"PYTHONPATH": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [api.__version__, "aioenode.client"]


def _build_wheel(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "src"
    shutil.copytree(API_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
    return subprocess.run(  # noqa: S603 - our own interpreter and folder
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=False,
        env=_without_project_paths(),
        capture_output=True,
        text=True,
    )


def test_wheel_builds_from_the_folder(tmp_path: Path) -> None:
    """`pip wheel custom_components/enode/api` builds a typed `aioenode` wheel."""
    result = _build_wheel(tmp_path)
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("aioenode-*.whl")
    assert wheel.name.startswith(f"aioenode-{api.__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith("/METADATA"))
    expected = {f"aioenode/{path.name}" for path in API_DIR.glob("*.py")} | {"aioenode/py.typed"}
    assert expected <= names
    assert not {n for n in names if n.startswith("aioenode/") and n.endswith(".toml")}
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ["Requires-Dist: aiohttp>=3.10", "Requires-Dist: mashumaro>=3.13"]


# The runtime dependencies of the wheel and theirs (import names), nothing else.
RUNTIME_MODULES = (
    "aiohttp", "aiohappyeyeballs", "aiosignal", "attr", "attrs", "frozenlist", "multidict",
    "propcache", "yarl", "idna", "typing_extensions", "mashumaro",
)  # fmt: skip


def test_wheel_imports_without_home_assistant(tmp_path: Path) -> None:
    """The wheel, installed alone, imports on the bare interpreter (no Home Assistant there)."""
    assert _build_wheel(tmp_path).returncode == 0
    (wheel,) = (tmp_path / "dist").glob("aioenode-*.whl")
    target = tmp_path / "site"
    install = subprocess.run(  # noqa: S603 - our own interpreter and wheel
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)],
        check=False, env=_without_project_paths(), capture_output=True, text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    deps = tmp_path / "deps"
    deps.mkdir()
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        assert spec is not None, name
        origin = Path(spec.origin or "")
        location = origin.parent if origin.name == "__init__.py" else origin
        (deps / location.name).symlink_to(location)
    code = (
        "import importlib.util, sys\n"
        f"sys.path[:0] = [{str(target)!r}, {str(deps)!r}]\n"
        "assert importlib.util.find_spec('homeassistant') is None\n"
        "import aioenode\n"
        "assert aioenode.__file__.startswith(sys.path[0]), aioenode.__file__\n"
        "print(aioenode.__version__, aioenode.EnodeClient.__module__)"
    )
    base_python = getattr(sys, "_base_executable", sys.executable)
    result = subprocess.run(  # noqa: S603 - the interpreter the venv was made from
        [base_python, "-s", "-c", code],
        check=False, cwd=tmp_path, env=_without_project_paths(), capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [api.__version__, "aioenode.client"]
