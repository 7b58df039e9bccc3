"""The README's "## Diagnose" section shows what the code does: its commands run, its output is real.

``tests/test_readme_examples.py`` checks that every Python block runs; here the section's
documented output is compared with what its Python example prints, and its shell examples are
checked against a rule of the command line (a learning curve splits by groups or by time).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text()
    start = text.index("\n## Diagnose")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```", _section(), flags=re.MULTILINE | re.DOTALL)


def _commands() -> list[list[str]]:
    """The ``howmuchdata diagnose`` commands of the section's shell blocks, as argument lists."""
    commands = []
    for block in _blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] == ["howmuchdata", "diagnose"]:
                commands.append(words)
    return commands


def test_no_shell_example_asks_a_learning_curve_to_split_by_groups_and_time():
    commands = _commands()
    assert len(commands) >= 2
    for words in commands:
        both = "--groups" in words and "--time" in words
        assert not both or "--no-curve" in words, shlex.join(words)


@pytest.mark.slow
def test_the_python_example_prints_the_documented_output(tmp_path):
    (code,) = _blocks("python")
    documented = re.search(r"^prints\n\n```\n(.*?)^```", _section(), flags=re.M | re.S)
    assert documented, "the Python example is followed by 'prints' and its output"
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == documented.group(1).splitlines()
