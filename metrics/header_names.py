"""Column headers as platforms export them → canonical column names: the alias files themselves.

    tables = alias_tables(Path("my_aliases.toml"))   # [{section: {column: [names]}}], the shipped file first
    section_aliases(tables[0], "reviews")            # {"评价内容": "text", "评分": "rating", …}
    norm_header("实付金额（元）")                      # "实付金额": how headers are compared

Kept apart from `metrics.imports` (which needs pandas) so that `ecombot sentiment classify` reads
the same review headers (评价内容, 评分) without paying for the import stack at start-up.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

# shipped with the importer; a deployment adds its own file with HEADER_ALIASES_FILE
ALIASES_FILE = Path(__file__).parent / "imports" / "header_aliases.toml"


class AliasFileError(Exception):
    """An alias file that cannot be read or is not TOML."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path, self.why = path, why


def norm_header(text: object) -> str:
    h = str(text or "").strip().lstrip("\ufeff").lower().replace("（", "(").replace("）", ")")
    h = re.sub(r"\((元|天|件|个|人|次|%|cny|rmb)\)$", "", h)
    return re.sub(r"[\s\-]+", "_", h.strip())


def alias_tables(extra: Path | None = None) -> list[dict[str, Any]]:
    """The shipped alias file and then `extra`, each parsed: section → canonical column → names."""
    out = []
    for path in [ALIASES_FILE] + ([Path(extra)] if extra else []):
        try:
            out.append(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise AliasFileError(path, f"cannot read the header alias file: {exc}") from None
    return out


def section_aliases(table: dict[str, Any], section: str) -> dict[str, str]:
    """{normalised header → canonical column} of one section of a parsed alias file."""
    out: dict[str, str] = {}
    for canonical, names in table.get(section, {}).items():
        for name in [names] if isinstance(names, str) else names:
            out[norm_header(name)] = canonical
    return out
