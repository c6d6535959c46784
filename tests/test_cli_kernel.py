"""`glasstorch kernel install|uninstall`: the kernelspec files (no Jupyter needed for these;
tests/test_jupyter.py starts the kernel itself)."""

from __future__ import annotations

import json
import sys

import pytest

from glasstorch.teaching import kernel
from glasstorch.teaching.cli import main


def test_install_writes_a_kernelspec_that_starts_the_glasstorch_kernel(tmp_path, capsys):
    assert main(["kernel", "install", "--prefix", str(tmp_path)]) == 0
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "glasstorch"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (glasstorch as torch)"
    assert spec["language"] == "python"
    assert spec["argv"] == [sys.executable, "-m", "glasstorch.teaching.kernel", "-f",
                            "{connection_file}"]
    assert str(spec_dir) in capsys.readouterr().out
    assert main(["kernel", "uninstall", "--prefix", str(tmp_path)]) == 0
    assert not spec_dir.exists()
    assert main(["kernel", "uninstall", "--prefix", str(tmp_path)]) == 1
    assert "no kernel named glasstorch" in capsys.readouterr().err


def test_name_display_name_and_user_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    assert main(["kernel", "install", "--user", "--name", "GT2",
                 "--display-name", "glass"]) == 0
    spec = json.loads((tmp_path / "data" / "kernels" / "gt2" / "kernel.json").read_text())
    assert spec["display_name"] == "glass"
    assert main(["kernel", "uninstall", "--user", "--name", "gt2"]) == 0
    assert not (tmp_path / "data" / "kernels" / "gt2").exists()


def test_default_location_is_this_environment():
    assert kernel.kernels_dir() == kernel.Path(sys.prefix) / "share" / "jupyter" / "kernels"


def test_uninstall_leaves_other_kernels_alone(tmp_path, capsys):
    other = tmp_path / "share" / "jupyter" / "kernels" / "python3"
    other.mkdir(parents=True)
    (other / "kernel.json").write_text(json.dumps({"argv": ["python", "-m", "ipykernel"]}))
    assert main(["kernel", "uninstall", "--prefix", str(tmp_path), "--name", "python3"]) == 1
    assert "is not a glasstorch kernel" in capsys.readouterr().err
    assert (other / "kernel.json").exists()


def test_bad_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="invalid kernel name"):
        kernel.install("../x", prefix=tmp_path)


def test_the_spec_is_found_by_jupyter(tmp_path, monkeypatch):
    ksm = pytest.importorskip("jupyter_client.kernelspec")
    kernel.install(prefix=tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    spec = ksm.KernelSpecManager().get_kernel_spec("glasstorch")
    assert spec.display_name == "Python 3 (glasstorch as torch)"
    assert spec.argv[1:3] == ["-m", "glasstorch.teaching.kernel"]
