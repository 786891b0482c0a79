"""What every loader shares: the Document they produce, the LoadError they raise (a Dutch reason that says how to
fix the file) and the guarded YAML reader for front matter and PDF sidecars. A leaf: it imports no other loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from assistant.errors import DigihulpError
from assistant.types import DocType


class LoadError(DigihulpError):
    """A file that cannot be ingested; the message is Dutch and says how to fix it."""


MAX_FRONT_MATTER_CHARS = 64_000  # real front matter is a few hundred characters; PyYAML parses ~6 s per MB


MAX_ALIASES = 20


class _AliasRefused(yaml.YAMLError):
    """An alias (*a) of a list or mapping, or too many aliases: nested aliases expand exponentially when the
    value is turned into text ("billion laughs": a few hundred bytes become gigabytes)."""


class _PlainDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so `parse_date` can give its own clear message
    (PyYAML's own conversion raises a bare ValueError on 2026-02-30). Aliases may only repeat a single value,
    a few times: yaml.safe_dump writes `created: &id001 2026-03-14` / `reviewed: *id001` itself."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            target = self.anchors.get(self.peek_event().anchor)
            if self._aliases > MAX_ALIASES or (target is not None and not isinstance(target, yaml.ScalarNode)):
                raise _AliasRefused("alias")
        return super().compose_node(parent, index)


_PlainDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, what: str) -> Any:
    """Parse YAML; every failure (including PyYAML's non-YAMLError ones) becomes a LoadError."""
    try:
        return yaml.load(text, Loader=_PlainDatesLoader)
    except _AliasRefused as exc:
        raise LoadError(f"{what} gebruikt YAML-verwijzingen (*naam) naar een lijst of naar veel waarden; die zijn "
                        "niet toegelaten. Schrijf elke waarde voluit.") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (regel {where.line + 2})" if where is not None else ""
        raise LoadError(f"{what} is geen geldige YAML{line}: {exc}") from exc
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise LoadError(f"{what} bevat een ongeldige waarde: {exc}") from exc


@dataclass(frozen=True)
class Document:
    source: str  # posix path relative to the corpus root
    doc_type: DocType
    title: str
    text: str = ""  # markdown body (tips, meeting notes, generic documents)
    pages: tuple[tuple[int, str], ...] = ()  # (page number, text) for PDFs
    meta: dict[str, Any] = field(default_factory=dict)
    doc_id: str = ""  # tip id (front matter `id` or file stem)

    @property
    def active(self) -> bool:
        return self.meta.get("status", "active") == "active"
