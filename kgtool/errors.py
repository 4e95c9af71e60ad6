"""The project's exceptions. The CLI turns them into one-line messages and exit code 2."""

from __future__ import annotations

from collections.abc import Iterable


class KgtoolError(Exception):
    """Something kgtool could not do (bad input, missing file); the message says what and where."""


class DataError(KgtoolError):
    """A data file could not be parsed. Carries the file, line and column when the parser gives them."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.message = path, line, column, message
        where = path if line is None else f"{path}:{line}" + ("" if column is None else f":{column}")
        super().__init__(f"{where}: {message}")


class QueryError(KgtoolError):
    """A query could not run: a syntax error (with line and column), an unknown name, a bad parameter."""


class EndpointError(KgtoolError):
    """A SPARQL endpoint was down, too slow, or answered with something that is not SPARQL results."""


def closest(text: str, names: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``names`` closest to ``text``, case ignored (``Lama`` finds ``LLaMA``): what an error
    offers after "did you mean"."""
    import difflib  # only for these messages

    folded = {name.casefold(): name for name in sorted(names, reverse=True)}  # the first of a case-fold wins
    return [folded[c] for c in difflib.get_close_matches(text.casefold(), folded, n=n, cutoff=cutoff)]


def did_you_mean(close: list[str]) -> str:
    """The "did you mean A, B?" of an error; names that hold a comma themselves (a result's label) come
    in quotes, so that the list still reads as a list."""
    if any("," in name for name in close):
        return "did you mean " + ", ".join(f'"{name}"' for name in close) + "?"
    return f"did you mean {', '.join(close)}?"
