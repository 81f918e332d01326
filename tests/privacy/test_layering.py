"""Where the access policy sits: above the models it reads, below the code that asks it.

    models and enums of every app          (what the rules read)
      ↑
    reperes.privacy.rules.*, .policy       (the rules; policy names them all)
      ↑
    selectors, services, forms, views      (ask the policy, never decide)

Imports are read from the source (function-level ones included), so a rule that starts reading a
selector, or a model that starts asking the policy, fails here.
"""

import ast
from pathlib import Path

import reperes

ROOT = Path(reperes.__file__).parent
POLICY_MODULES = ["reperes.privacy.policy", "reperes.privacy.rules"]
# What the rules may read: the data layer of every app.
READABLE_BY_RULES = (".models", ".enums")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {name for name in names if name.startswith("reperes")}


def sources() -> dict[str, Path]:
    return {module_name(path): path for path in ROOT.rglob("*.py") if "migrations" not in path.parts}


def is_policy(name: str) -> bool:
    return any(name == module or name.startswith(module + ".") for module in POLICY_MODULES)


def test_the_rules_read_only_models_and_enums():
    wrong = [
        f"{name} importe {imported}"
        for name, path in sources().items()
        if is_policy(name)
        for imported in imports_of(path)
        if not is_policy(imported) and not imported.endswith(READABLE_BY_RULES)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_model_or_enum_asks_the_policy():
    wrong = [
        f"{name} importe {imported}"
        for name, path in sources().items()
        if name.endswith(READABLE_BY_RULES)
        for imported in imports_of(path)
        if is_policy(imported)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_policy_names_every_rule():
    """A data-protection officer reads the rules in one package, and the code asks them through one
    name: every public function of a rules module is exported by the policy."""
    from reperes.privacy import policy

    missing = [
        f"{name}.{node.name}"
        for name, path in sources().items()
        if name.startswith("reperes.privacy.rules.")
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and not hasattr(policy, node.name)
    ]
    assert not missing, "absent de reperes.privacy.policy : " + ", ".join(missing)
