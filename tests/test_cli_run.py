"""`glasstorch run`: an unchanged PyTorch script (``import torch``, ``from torch... import``)
runs on glasstorch and prints what it prints under PyTorch."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "plain_torch.py")


def test_unchanged_script_runs_on_glasstorch_with_the_same_output():
    glass = subprocess.run([sys.executable, "-m", "glasstorch", "run", SCRIPT],
                           capture_output=True, text=True, timeout=120)
    assert glass.returncode == 0, glass.stderr
    assert "backend glasstorch" in glass.stdout
    real = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True,
                          timeout=120, check=True)
    strip = [line for line in real.stdout.splitlines() if not line.startswith("backend")]
    assert [line for line in glass.stdout.splitlines() if not line.startswith("backend")] \
        == strip


def _glass_run(tmp_path, body: str, *args: str) -> subprocess.CompletedProcess:
    script = tmp_path / "learner.py"
    script.write_text(body)
    return subprocess.run([sys.executable, "-m", "glasstorch", "run", str(script), *args],
                          capture_output=True, text=True, timeout=120)


def test_arguments_reach_the_script_as_with_python(tmp_path):
    body = "import sys, torch\nprint(sys.argv[1:])\n"
    out = _glass_run(tmp_path, body, "--lr", "0.1", "-v", "data.csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['--lr', '0.1', '-v', 'data.csv']"
    out = _glass_run(tmp_path, body, "--", "x")  # the old spelling still works
    assert out.stdout.strip() == "['x']"


def test_traceback_starts_at_the_learners_script(tmp_path):
    body = "import torch\n\ndef f():\n    return torch.ones(2) @ torch.ones(3)\n\nf()\n"
    out = _glass_run(tmp_path, body)
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "learner.py" in lines[1] and "line 6" in lines[1]
    assert "runpy" not in out.stderr and "cli/run.py" not in out.stderr
    assert lines[-1].startswith("RuntimeError: inconsistent tensor size")


def test_syntax_error_shows_the_script_and_no_runner_frames(tmp_path):
    out = _glass_run(tmp_path, "import torch\nx = (1,\n")
    assert out.returncode == 1
    assert "runpy" not in out.stderr and "cli/run.py" not in out.stderr, out.stderr
    assert "learner.py" in out.stderr and "SyntaxError" in out.stderr.splitlines()[-1]


def test_error_in_a_module_of_the_learner_starts_at_the_script(tmp_path):
    (tmp_path / "helper.py").write_text("import torch\n\ndef go():\n    torch.zeros(2).view(3)\n")
    out = _glass_run(tmp_path, "import helper\nhelper.go()\n")
    assert out.returncode == 1
    frames = [line for line in out.stderr.splitlines() if line.startswith('  File "')]
    assert "learner.py" in frames[0] and "line 2" in frames[0], out.stderr
    assert "helper.py" in frames[1]
    assert "runpy" not in out.stderr and "cli/run.py" not in out.stderr
    assert "RuntimeError: shape '[3]' is invalid" in out.stderr


def test_missing_script_is_one_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "glasstorch", "run", str(tmp_path / "no.py")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
