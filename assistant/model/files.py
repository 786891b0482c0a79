"""What a complete model install is, and the checks that say whether a folder is one.

A complete install in DIGIHULP_MODEL_DIR holds:

- the **source**: every file of the published model that loading needs (documentation files aside), each
  with the size and SHA-256 pinned in `SOURCE_FILES` below. They are facts about the registry release, so
  they live in code: the float32 original can be verified even when the manifest is lost.
- every **derived artifact** in `DERIVED` (today the bfloat16 copy in `bf16/`; issue 15 adds a quantised
  one), made once from the verified source at install time, in its own subfolder;
- the **manifest** `digihulp-model.json` (format 2), written last, recording for each derived artifact its
  dtype, folder and the size and SHA-256 of each file, as made on this machine (conversions depend on the
  installed libraries, so their checksums cannot be pinned in code).

The install is judged as a whole, whichever dtype this CPU will load: a float32 machine also reports a
missing bf16 copy and a bf16 machine a missing float32 original, so every machine, every entry point and
every test agree on one verdict, and `make model` repairs what is missing.

Two depths of check. `inspect_install(full=False)` (presence and size of every file, and the manifest) costs a
few dozen `stat` calls and runs at every model load and every `/health`; it catches a deleted, truncated
or half-copied file. `inspect_install(full=True)` also hashes every file (about 1.8 GB, ~5 s on our 2-core
machine): it runs in `verify` and at every `install`, so a same-size corruption is found there and
repaired by `make model`, but never delays an app start.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.atomic import write_atomic
from assistant.errors import ModelError

MODEL_NAME = "embeddinggemma-300m"
MANIFEST = "digihulp-model.json"
MANIFEST_FORMAT = 2
SAFETENSORS_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
DOC_FILES = frozenset({"README.md", "notebook.ipynb"})  # shipped with the model, never read when loading
SOURCE = "origineel"
FIX = "Herstel het met: make model (of python -m assistant.model install)."
NOT_INSTALLED = ("Het taalmodel voor zoeken is niet geïnstalleerd in {dir}. Installeer het met: make model "
                 "(of python -m assistant.model install).")

# relative path -> (size in bytes, sha256) of the release in the 25 registry chunks.
SOURCE_FILES: dict[str, tuple[int, str]] = {
    "1_Pooling/config.json": (312, "35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6"),
    "2_Dense/config.json": (134, "0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53"),
    "2_Dense/model.safetensors": (9437272, "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702"),
    "3_Dense/config.json": (134, "8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc"),
    "3_Dense/model.safetensors": (9437272, "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8"),
    "added_tokens.json": (35, "50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946"),
    "config.json": (1488, "8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68"),
    "config_sentence_transformers.json": (997, "8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f"),
    "generation_config.json": (133, "1fb1efd221c1ca88a736d1b36cb47d754c177677e222acb3b1e5424c5d664870"),
    "model.safetensors": (1211486072, SAFETENSORS_SHA256),
    "modules.json": (573, "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc"),
    "sentence_bert_config.json": (58, "5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325"),
    "special_tokens_map.json": (662, "2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397"),
    "tokenizer.json": (33385008, "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e"),
    "tokenizer.model": (4689074, "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c"),
    "tokenizer_config.json": (1155346, "9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118"),
}


@dataclass(frozen=True)
class Derived:
    """An artifact made once from the source at install time, in its own subfolder."""

    name: str
    dtype: str
    path: str


DERIVED: tuple[Derived, ...] = (Derived("bf16", "bfloat16", "bf16"),)
SOURCE_DTYPE = "float32"


@dataclass(frozen=True)
class Finding:
    artifact: str  # SOURCE, a Derived.name, or MANIFEST
    file: str  # relative to the model folder
    problem: str  # Dutch, names the file


@dataclass(frozen=True)
class Inspection:
    model_dir: Path
    installed: bool  # anything of an install there at all
    findings: tuple[Finding, ...] = ()
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.installed and not self.findings

    def bad(self, artifact: str) -> bool:
        return not self.installed or any(f.artifact == artifact for f in self.findings)

    def message(self) -> str:
        """The Dutch reason with the fix, the same text everywhere; empty when the install is complete."""
        if not self.installed:
            return NOT_INSTALLED.format(dir=self.model_dir)
        if not self.findings:
            return ""
        more = len(self.findings) - 1
        extra = f" (en nog {more} {'probleem' if more == 1 else 'problemen'})" if more else ""
        return (f"Het taalmodel in {self.model_dir} is onvolledig of beschadigd: {self.findings[0].problem}"
                f"{extra}. {FIX}")

    def require(self) -> None:
        if not self.complete:
            raise ModelError(self.message())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inspect_install(model_dir: Path, *, full: bool = False) -> Inspection:
    """Check the whole install: presence and size of every file, plus every checksum when `full`."""
    manifest = read_manifest(model_dir)
    if not any((model_dir / rel).exists() for rel in SOURCE_FILES) and manifest is None:
        return Inspection(model_dir, installed=False)
    findings = [Finding(SOURCE, rel, problem) for rel, problem in source_problems(model_dir, full=full)]
    if manifest is None:
        findings.append(Finding(MANIFEST, MANIFEST, f"{MANIFEST} ontbreekt of is onleesbaar"))
    elif manifest.get("format") != MANIFEST_FORMAT:
        findings.append(Finding(MANIFEST, MANIFEST, f"{MANIFEST} is van een oudere versie (zonder "
                                                    "controlesommen van de afgeleide kopieën)"))
    recorded = derived_entries(manifest)
    for artifact in DERIVED:
        entry = recorded.get(artifact.name)
        if entry is None:
            findings.append(Finding(artifact.name, artifact.path, f"de {artifact.dtype}-kopie ({artifact.path}/) "
                                                                  f"staat niet in {MANIFEST}"))
            continue
        problems = _check_files(model_dir / artifact.path, entry.get("files") or {}, full, prefix=f"{artifact.path}/")
        findings += [Finding(artifact.name, rel, problem) for rel, problem in problems]
    return Inspection(model_dir, True, tuple(findings), manifest or {})


def source_problems(folder: Path, *, full: bool) -> list[tuple[str, str]]:
    """(file, Dutch problem) for each source file in `folder` that differs from the pinned release."""
    expected = {rel: {"size": size, "sha256": sha} for rel, (size, sha) in SOURCE_FILES.items()}
    return _check_files(folder, expected, full)


def _check_files(folder: Path, expected: dict[str, dict[str, Any]], full: bool,
                 prefix: str = "") -> list[tuple[str, str]]:
    if not expected:
        return [(prefix, f"{prefix or folder.name}: geen bestanden vastgelegd")]
    problems = []
    for rel, want in sorted(expected.items()):
        name, path = f"{prefix}{rel}", folder / rel
        try:
            size = path.stat().st_size
        except OSError:
            problems.append((name, f"{name} ontbreekt"))
            continue
        if size != want["size"]:
            problems.append((name, f"{name} is {size} bytes groot in plaats van {want['size']}"))
        elif full and sha256_file(path) != want["sha256"]:
            problems.append((name, f"{name}: de controlesom klopt niet"))
    return problems


def read_manifest(model_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def derived_entries(manifest: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The manifest's derived artifacts by name (format 2 only: format 1 recorded no checksums)."""
    if not manifest or manifest.get("format") != MANIFEST_FORMAT:
        return {}
    return {str(e["name"]): e for e in manifest.get("derived", []) if isinstance(e, dict) and "name" in e}


def file_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file under `folder` that loading may read."""
    return {p.relative_to(folder).as_posix(): {"size": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in DOC_FILES}


def derived_entry(artifact: Derived, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"name": artifact.name, "dtype": artifact.dtype, "path": artifact.path, "made_from": SAFETENSORS_SHA256,
            "files": files}


def write_manifest(model_dir: Path, dimension: int, entries: dict[str, dict[str, Any]]) -> None:
    """Replace the manifest in one rename; entries of artifacts this version does not know are kept."""
    manifest = {"format": MANIFEST_FORMAT, "name": MODEL_NAME, "dimension": dimension,
                "source_sha256": SAFETENSORS_SHA256, "derived": [entries[k] for k in sorted(entries)]}
    write_atomic(model_dir / MANIFEST, json.dumps(manifest, indent=2))


def artifact_dir(model_dir: Path, dtype: str) -> Path:
    """The folder that holds the weights of `dtype`: the source for float32, else a derived copy."""
    if dtype == SOURCE_DTYPE:
        return model_dir
    for artifact in DERIVED:
        if artifact.dtype == dtype:
            return model_dir / artifact.path
    raise ModelError(f"Geen modelkopie voor rekenformaat {dtype}.")


def model_name(model_dir: Path) -> str:
    manifest = read_manifest(model_dir)
    return str(manifest["name"]) if manifest and "name" in manifest else model_dir.resolve().name
