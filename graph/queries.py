"""Registry of the Cypher queries kept as files under cypher/, loaded once by name.

`cypher/invites/upline.cypher` is `queries["invites.upline"]`. An unknown name fails
loudly with the list of known ones. The service loads only `cypher/`; the tests and the
lab add their own folders with `queries.include(folder)`.
"""

from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"


class QueryRegistry:
    """All .cypher files under one folder, addressed as `folder.name`."""

    def __init__(self, root: Path = CYPHER_DIR) -> None:
        self._queries: dict[str, str] = {}
        self.include(root)

    def include(self, root: Path) -> None:
        """Add the .cypher files under another folder (a name already known is an error)."""
        for path in sorted(root.rglob("*.cypher")):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            text = path.read_text(encoding="utf-8")
            if self._queries.get(name, text) != text:
                raise ValueError(f"Cypher query {name!r} is defined twice (again in {root})")
            self._queries[name] = text

    def __getitem__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            known = ", ".join(sorted(self._queries))
            raise KeyError(f"no Cypher query named {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        """Every query name, sorted."""
        return sorted(self._queries)

    def statements(self, name: str) -> list[str]:
        """A file split into its `;`-separated statements (for schema files)."""
        body = "\n".join(
            line for line in self[name].splitlines() if not line.lstrip().startswith("//")
        )
        return [s.strip() for s in body.split(";") if s.strip()]


queries = QueryRegistry()
