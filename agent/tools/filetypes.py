"""Grep's `type` names, as ripgrep spells them, mapped to file name globs."""

from __future__ import annotations

from agent.sandbox import ToolError

FILE_TYPES: dict[str, tuple[str, ...]] = {
    "c": ("*.c", "*.h"),
    "cpp": ("*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh", "*.hxx", "*.h"),
    "cs": ("*.cs",),
    "css": ("*.css", "*.scss", "*.sass", "*.less"),
    "csv": ("*.csv",),
    "docker": ("Dockerfile", "*.dockerfile", "Dockerfile.*"),
    "go": ("*.go",),
    "graphql": ("*.graphql", "*.gql"),
    "html": ("*.html", "*.htm"),
    "java": ("*.java",),
    "js": ("*.js", "*.jsx", "*.mjs", "*.cjs"),
    "json": ("*.json", "*.jsonc", "*.json5"),
    "kotlin": ("*.kt", "*.kts"),
    "lua": ("*.lua",),
    "make": ("Makefile", "makefile", "GNUmakefile", "*.mk", "*.mak"),
    "md": ("*.md", "*.markdown", "*.mdx"),
    "php": ("*.php",),
    "prisma": ("*.prisma",),
    "proto": ("*.proto",),
    "py": ("*.py", "*.pyi"),
    "rb": ("*.rb", "*.rake", "Gemfile", "Rakefile"),
    "rust": ("*.rs",),
    "scala": ("*.scala", "*.sc"),
    "sh": ("*.sh", "*.bash", "*.zsh"),
    "sql": ("*.sql",),
    "swift": ("*.swift",),
    "toml": ("*.toml",),
    "ts": ("*.ts", "*.tsx", "*.mts", "*.cts"),
    "txt": ("*.txt",),
    "vue": ("*.vue",),
    "xml": ("*.xml", "*.xsd", "*.xsl"),
    "yaml": ("*.yaml", "*.yml"),
}
ALIASES = {"markdown": "md", "python": "py", "rs": "rust", "yml": "yaml", "ruby": "rb"}


def type_globs(name: str) -> tuple[str, ...]:
    """The file name globs of a ripgrep type name, or a ToolError listing the known names."""
    key = ALIASES.get(name, name)
    if key not in FILE_TYPES:
        known = ", ".join(sorted(FILE_TYPES))
        raise ToolError(f"Unknown file type {name!r} for Grep: use one of {known}, or pass glob")
    return FILE_TYPES[key]
