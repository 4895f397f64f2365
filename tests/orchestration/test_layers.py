"""The import-linter contracts of pyproject.toml (run by `make lint`) fail on a layer
violation: shown on a throwaway tree where the foundation imports the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts_config(target: Path) -> Path:
    """The project's own contracts, as an INI file import-linter reads from another folder."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    lines = ["[importlinter]", "root_packages =",
             *(f"    {p}" for p in linter["root_packages"])]
    for number, contract in enumerate(linter["contracts"], start=1):
        lines.append(f"[importlinter:contract:{number}]")
        for key, value in contract.items():
            if isinstance(value, list):
                lines += [f"{key} =", *(f"    {v}" for v in value)]
            else:
                lines.append(f"{key} = {value}")
    path = target / ".importlinter"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tree(target: Path, imports: dict[str, str]) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for package in config["tool"]["importlinter"]["root_packages"]:
        (target / package).mkdir()
        (target / package / "__init__.py").write_text("", encoding="utf-8")
    for module, source in imports.items():
        (target / Path(*module.split("."))).with_suffix(".py").write_text(source,
                                                                         encoding="utf-8")


def _lint(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(_contracts_config(target)),
                           "--no-cache"], cwd=target, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(target)})


def test_the_layers_hold_on_a_tree_that_keeps_them(tmp_path: Path) -> None:
    _tree(tmp_path, {"chiso.cli": "import orchestration.jobs\n",
                     "orchestration.jobs": "import ingestion.loader\n",
                     "ingestion.loader": "import foundation.settings\n",
                     "foundation.settings": "import os\n",
                     "sample_generator.generate": "import foundation.settings\n"})
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_foundation_module_importing_the_cli_breaks_the_build(tmp_path: Path) -> None:
    _tree(tmp_path, {"chiso.cli": "import orchestration.jobs\n",
                     "orchestration.jobs": "import ingestion.loader\n",
                     "ingestion.loader": "import foundation.settings\n",
                     "foundation.settings": "import chiso.cli\n",
                     "sample_generator.generate": "import ingestion.loader\n"})
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "foundation.settings -> chiso.cli" in result.stdout
    assert "The sample generator uses only the foundation BROKEN" in result.stdout
