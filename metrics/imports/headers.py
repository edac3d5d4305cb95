"""Header mapping: the names platforms' exports give their columns → the canonical column names.

    aliases = load_aliases(Path("my_aliases.toml"))     # kind → {normalised header → column}
    map_headers(kind, ["订单号", "实付金额"], aliases["orders"])   # {"order_id": "订单号", …}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from metrics.header_names import AliasFileError, alias_tables, norm_header, section_aliases
from metrics.imports.kinds import KINDS, Kind
from metrics.imports.results import ImportFailure, Problem


def load_aliases(extra: Path | None = None) -> dict[str, dict[str, str]]:
    """kind → {normalised header → canonical column}, shipped aliases plus HEADER_ALIASES_FILE."""
    out: dict[str, dict[str, str]] = {k: {} for k in KINDS}
    try:
        tables = alias_tables(extra)
    except AliasFileError as exc:
        raise ImportFailure(str(exc.path), [Problem(None, None, exc.why)]) from None
    for table in tables:
        for kind in KINDS:
            out[kind] |= section_aliases(table, "common") | section_aliases(table, kind)
    return out


def map_headers(kind: Kind, headers: Sequence[object], aliases: Mapping[str, str]) -> dict[str, str]:
    """canonical column → the header as written in the file; unknown columns are ignored."""
    names = {c.name for c in kind.cols}
    found: dict[str, str] = {}
    for raw in headers:
        norm = norm_header(raw)
        canonical = norm if norm in names else aliases.get(norm)
        if canonical is None or canonical not in names:
            continue
        if canonical in found:
            raise ImportFailure("", [Problem(1, str(raw), f"maps to {canonical}, as does column {found[canonical]}")])
        found[canonical] = str(raw)
    return found


def other_kind(kind: Kind, headers: Sequence[object], aliases: dict[str, dict[str, str]]) -> str | None:
    for other in KINDS.values():
        if other is kind:
            continue
        try:
            mapped = map_headers(other, headers, aliases[other.name])
        except ImportFailure:
            continue
        if all(c in mapped for c in other.required if c != "channel"):
            return other.name
    return None
