"""Every code block of README.md and docs/*.rst runs, so the docs cannot drift.

Each block runs on its own, in a fresh Python process (or shell) in an empty temporary
folder, as a reader who copies it would run it:

* ``python`` blocks run as a script; ``pycon`` blocks (``>>>`` prompts) run as a doctest,
  so the output they show (predictions, counts) is compared with the real output;
* ``bash`` blocks run as a script (``set -euo pipefail``);
* ``console`` blocks run each ``$`` command in one shell session; every command must
  succeed, and the output shown under a command must match what it prints
  (``...`` matches anything, whitespace is normalised);
* ``text`` blocks (usage synopses, file trees) and configuration files (``yaml``, ``toml``,
  ``json``, ``ini``) are not run.

A block is left out only by a visible marker just above it, with the reason:

* Markdown: ``<!-- docs-test: skip (starts a server) -->``;
* reStructuredText: ``.. docs-test: skip (starts a server)``.

Other markers: ``slow`` (a training: the block's test is marked ``slow``) and ``shared``
(the block downloads a published 1.1.4 archive: the model registry is pointed at
``../shared``, so the test skips without it, and fails in CI).
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support import REPO, shared_path

RUN_LANGUAGES = ("python", "pycon", "bash", "console")
NOT_RUN_LANGUAGES = ("text", "toml", "json", "ini", "yaml", "none")
_MARKER = re.compile(r"docs-test:\s*(skip|slow|shared)\b\s*(.*?)\s*(?:-->)?\s*$")
_TIMEOUT = 1200


@dataclass
class Block:
    """One code block: where it is, its language, its text and its markers."""

    path: Path
    line: int
    language: str
    text: str
    markers: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def _markers(lines: list[str], start: int) -> dict[str, str]:
    """Markers on the comment lines just above line index ``start`` (blank lines allowed)."""
    found = {}
    i = start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    while i >= 0 and "docs-test:" in lines[i]:
        match = _MARKER.search(lines[i].strip())
        if match is None:
            raise ValueError(f"unknown docs-test marker: {lines[i].strip()!r}")
        found[match.group(1)] = match.group(2).strip("() ")
        i -= 1
        while i >= 0 and not lines[i].strip():
            i -= 1
    return found


def markdown_blocks(path: Path) -> list[Block]:
    """Fenced blocks of a Markdown file."""
    lines = path.read_text("utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if fence is None:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        text = "\n".join(lines[i + 1 : j]) + "\n"
        blocks.append(Block(path, i + 1, fence.group(1) or "none", text, _markers(lines, i)))
        i = j + 1
    return blocks


def rst_blocks(path: Path) -> list[Block]:
    """``.. code-block::`` directives of a reStructuredText file."""
    lines = path.read_text("utf-8").splitlines()
    blocks = []
    for i, line in enumerate(lines):
        directive = re.match(r"^(\s*)\.\. code-block::\s*(\w+)", line)
        if directive is None:
            continue
        indent = len(directive.group(1))
        body, j = [], i + 1
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
        ):
            body.append(lines[j])
            j += 1
        while body and not body[-1].strip():
            body.pop()
        body = [b for b in body if not re.match(r"^\s+:\w[\w-]*:", b)]  # directive options
        width = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
        text = "\n".join(b[width:] for b in body).strip("\n") + "\n"
        blocks.append(Block(path, i + 1, directive.group(2), text, _markers(lines, i)))
    return blocks


def all_blocks() -> list[Block]:
    blocks = markdown_blocks(REPO / "README.md")
    for page in sorted((REPO / "docs").glob("*.rst")):
        blocks += rst_blocks(page)
    return blocks


def _params():
    params = []
    for block in all_blocks():
        if block.language in NOT_RUN_LANGUAGES:
            continue
        marks = [pytest.mark.slow] if "slow" in block.markers else []
        params.append(pytest.param(block, id=block.name, marks=marks))
    return params


def _env(block: Block, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleave as on a terminal
    env["SPACEKIT_CACHE"] = str(tmp_path / ".cache")
    if "shared" in block.markers:
        env["SPACEKIT_MODEL_MIRROR"] = shared_path("reference", "spacekit-1.1.4").as_uri()
    return env


def _run(args, block: Block, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=cwd,
        env=_env(block, cwd),
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        **kwargs,
    )


def _report(block: Block, out: subprocess.CompletedProcess) -> str:
    return (
        f"{block.name} ({block.language}) failed with exit code {out.returncode}\n"
        f"--- block ---\n{block.text}--- stdout ---\n{out.stdout[-6000:]}\n"
        f"--- stderr ---\n{out.stderr[-6000:]}"
    )


def console_commands(text: str) -> list[tuple[str, list[str]]]:
    """``[(command, expected output lines), ...]`` of a console block."""
    commands: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1] + " " + lines[i].strip()
            commands.append((command, []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"console block starts with output, not a '$ ' command: {line!r}")
        i += 1
    return commands


_SEPARATOR = "@@docs-test-command-{}@@ {}"


def _run_console(block: Block, tmp_path: Path) -> None:
    commands = console_commands(block.text)
    script = ["set -u"]
    for k, (command, _) in enumerate(commands):
        script.append(f"echo '{_SEPARATOR.format(k, 'start')}'")
        script.append(f"{{\n{command}\n}} 2>&1")
        script.append(f'echo "{_SEPARATOR.format(k, "exit")} $?"')
    out = _run(["bash", "-c", "\n".join(script)], block, tmp_path)
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for k, (command, expected) in enumerate(commands):
        start = out.stdout.find(_SEPARATOR.format(k, "start"))
        end = out.stdout.find(_SEPARATOR.format(k, "exit"))
        assert start >= 0 and end >= 0, _report(block, out)
        got = out.stdout[start:end].split("\n", 1)[1] if "\n" in out.stdout[start:end] else ""
        code = out.stdout[end:].split("\n", 1)[0].split()[-1]
        assert code == "0", f"`{command}` exited with {code}:\n{got}\n" + _report(block, out)
        want = "\n".join(expected).strip()
        if want:
            assert checker.check_output(want + "\n", got.strip() + "\n", flags), (
                f"{block.name}: `{command}` printed\n{got}\nbut the docs show\n{want}"
            )


def _run_block(block: Block, tmp_path: Path) -> None:
    if block.language == "python":
        script = tmp_path / "docs_block.py"
        script.write_text(block.text, "utf-8")
        out = _run([sys.executable, script.name], block, tmp_path)
    elif block.language == "pycon":
        script = tmp_path / "docs_block.txt"
        script.write_text(block.text, "utf-8")
        args = [sys.executable, "-m", "doctest", "-o", "ELLIPSIS", "-o", "NORMALIZE_WHITESPACE"]
        out = _run([*args, script.name], block, tmp_path)
    elif block.language == "bash":
        out = _run(["bash", "-c", "set -euo pipefail\n" + block.text], block, tmp_path)
    else:
        _run_console(block, tmp_path)
        return
    assert out.returncode == 0, _report(block, out)


@pytest.mark.parametrize("block", _params())
def test_docs_block_runs(block: Block, tmp_path):
    if "skip" in block.markers:
        pytest.skip(f"{block.name}: {block.markers['skip']} (docs-test marker)")
    _run_block(block, tmp_path)


def test_every_block_has_a_known_language():
    """A block in a new language is either run (add a runner) or listed as not run."""
    unknown = [
        f"{b.name}: {b.language}"
        for b in all_blocks()
        if b.language not in RUN_LANGUAGES + NOT_RUN_LANGUAGES
    ]
    assert unknown == []


def test_skipped_blocks_say_why():
    missing = [b.name for b in all_blocks() if "skip" in b.markers and not b.markers["skip"]]
    assert missing == []


def test_the_first_two_readme_commands():
    """README: install + the main job on the sample; install + the suite, as .ci/run runs."""
    blocks = [b for b in markdown_blocks(REPO / "README.md") if b.language == "bash"]
    assert blocks[0].text.strip() == "python -m pip install . && spacekit jwst predict --sample"
    test_command = 'python -m pip install -q -e ".[test]" && python -m pytest'
    assert blocks[1].text.strip() == test_command
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert f"\n{test_command}\n" in ci


def test_console_parser():
    text = "$ spacekit a \\\n    --b 1\nline 1\n\n$ spacekit c\n"
    assert console_commands(text) == [("spacekit a  --b 1", ["line 1", ""]), ("spacekit c", [])]
    with pytest.raises(ValueError, match="starts with output"):
        console_commands("out\n$ x\n")
