"""The package layout: the flow points one way and modules keep their private names.

These tests read the import statements of every module (with :mod:`ast`, importing
nothing), so a new stage -> skope import or a private name imported from another module
fails here with the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import spacekit

SRC = Path(spacekit.__file__).parent
#: Stage packages, in flow order; none of them may import a skope.
STAGES = (
    "datasets",
    "extractor",
    "preprocessor",
    "builder",
    "analyzer",
    "generator",
    "dashboard",
    "visualization",
)


def _imports(path: Path):
    """Yield ``(line, module, names)`` of every absolute or relative import in ``path``."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = ".".join(("spacekit",) + path.relative_to(SRC).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            yield node.lineno, module, [a.name for a in node.names]


def _modules(*packages: str):
    for pkg in packages:
        root = SRC / pkg
        if root.is_dir():
            yield from sorted(root.rglob("*.py"))


def test_stage_packages_never_import_a_skope():
    edges = [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in _modules(*STAGES)
        for line, module, names in _imports(path)
        if module == "spacekit.skopes"
        or module.startswith("spacekit.skopes.")
        or (module == "spacekit" and "skopes" in names)
    ]
    assert edges == []


def test_no_private_name_is_imported_from_another_module():
    """A ``_name`` may only be imported from a private ``_module`` of the same package.

    Public modules keep their private names to themselves; what another module needs is
    public (in ``__all__``). Private helper modules (``datasets/jwst/_tools.py``) may
    share underscore names with their own package.
    """
    found = []
    for path in _modules(*(p.name for p in SRC.iterdir() if p.is_dir())):
        own_pkg = ".".join(("spacekit",) + path.relative_to(SRC).parts[:-1])
        for line, module, names in _imports(path):
            if not module.startswith("spacekit"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            parent, _, leaf = module.rpartition(".")
            if private and not (parent == own_pkg and leaf.startswith("_")):
                found.append(f"{path.relative_to(SRC)}:{line} {module} {private}")
    assert found == []


def test_skope_config_re_exports_the_stage_tables():
    from spacekit.extractor.keywords import jwst_cal as keywords
    from spacekit.preprocessor.tables import jwst_cal as tables
    from spacekit.skopes.jwst.cal import config

    for name in config.__all__:
        owner = keywords if name in keywords.__all__ else tables
        assert getattr(config, name) is getattr(owner, name), name
    assert sorted(config.__all__) == sorted(keywords.__all__ + tables.__all__)


def test_api_docs_leave_private_modules_out():
    """No autodoc directive of the Sphinx docs documents a private (``_name``) module."""
    import re

    docs = Path(__file__).resolve().parents[1] / "docs"
    assert docs.is_dir(), f"{docs} is part of the repository"
    directive = re.compile(r"^\.\. auto(?:module|class|function|data)::\s*(\S+)", re.MULTILINE)
    private = [
        f"{page.name}: {target}"
        for page in sorted(docs.glob("*.rst"))
        for target in directive.findall(page.read_text("utf-8"))
        if any(part.startswith("_") and not part.startswith("__") for part in target.split("."))
    ]
    assert private == []
