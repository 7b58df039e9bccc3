"""The Python examples in README.md run as written, each in a fresh interpreter.

A README example that no longer runs is the first thing a new user meets, so every ```python
block is executed here, in an empty working folder (examples write under ``runs/``).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Example:
    heading: str
    line: int
    code: str

    @property
    def name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")
        return f"{slug[:40]}-line{self.line}"


def readme_examples() -> list[Example]:
    examples, heading, start, lines = [], "top", None, []
    for number, line in enumerate(README.read_text().splitlines(), start=1):
        if start is None and line.startswith("#") and not line.startswith("#!"):
            heading = line.lstrip("#").strip()
        elif start is None and line.strip() == "```python":
            start, lines = number + 1, []
        elif start is not None and line.strip() == "```":
            examples.append(Example(heading, start, "\n".join(lines) + "\n"))
            start = None
        elif start is not None:
            lines.append(line)
    return examples


EXAMPLES = readme_examples()


def test_the_readme_has_python_examples():
    assert len(EXAMPLES) >= 8
    assert any("hmd.extrapolate(" in example.code for example in EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_readme_example_runs(example: Example, tmp_path: Path):
    if "torchvision" in example.code:
        pytest.skip("exports a torchvision backbone, meant for a machine with torchvision")
    needs_torch = re.search(r"^import torch|howmuchdata\.deep", example.code, flags=re.MULTILINE)
    if needs_torch and importlib.util.find_spec("torch") is None:
        pytest.skip("needs the torch extra")
    if "runs/demo" in example.code:
        # the report example reads the demo's output, as it does after `make demo`
        subprocess.run(
            [sys.executable, "-m", "howmuchdata", "demo", "--out", "runs/demo", "--quiet"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            timeout=300,
        )
    script = tmp_path / "example.py"
    script.write_text(example.code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"README line {example.line}:\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), "the example printed nothing"
