"""The test suite's own layout (CONTRIBUTING.md): no test module and no conftest is ever
imported. Shared fixtures are plugins (tests/plugins/, loaded by the root conftest), shared
helpers and data plain modules (tests/helpers/, tests/fixtures/)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _forbidden(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) of every import in `path`, `from X import a` counting X.a as well:
    `from tests.agents import test_offline_flows` imports a test module too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # A relative import names its module from this file's package.
            package = ".".join(path.relative_to(root).with_suffix("").parts[: -node.level])
            base = ".".join(p for p in (package if node.level else "", node.module or "") if p)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_no_test_module_or_conftest_is_imported() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, module in imported_modules(path)
        if _forbidden(module)
    ]
    assert offenders == [], "\n".join(offenders)


def test_the_check_sees_each_way_of_importing(tmp_path: Path) -> None:
    # Guards the guard: each of the first four lines imports a test module or a conftest.
    sample = tmp_path / "tests" / "agents" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "import tests.api.test_jobs\n"
        "from tests.agents.test_offline_flows import say\n"
        "from tests.agents import test_offline_flows\n"
        "from .conftest import thing\n"
        "from tests.helpers.server import free_port\n"
    )
    found = [module for _, module in imported_modules(sample, tmp_path) if _forbidden(module)]
    assert found == [
        "tests.api.test_jobs",
        "tests.agents.test_offline_flows",
        "tests.agents.test_offline_flows",
        "tests.agents.conftest",
    ]
