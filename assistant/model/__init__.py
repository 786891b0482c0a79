"""The embedding model: what a complete install is (`files`), loading it (`embedder`, the only module that
touches sentence-transformers) and installing or repairing it (`install`, `make model`).

CLI: python -m assistant.model install|verify|status.
"""

from assistant.model.embedder import Embedder, cpu_has_fast_bf16, load_embedder, resolve_dtype
from assistant.model.files import Inspection, inspect_install

__all__ = ["Embedder", "Inspection", "cpu_has_fast_bf16", "inspect_install", "load_embedder", "resolve_dtype"]
