"""Refit the token accounting on the real usage recorded in the corpus.

    .venv/bin/python tools/refit_tokens.py            # rewrite mockserver/data/token_fit.yaml and docs/tokens.md
    .venv/bin/python tools/refit_tokens.py --check    # exit 1 if either is not what a refit gives

Every Messages and count_tokens exchange of `tests/fixtures/real-traffic/` that answered 200
and that `token_scope.unreproducible` keeps gives one row: the request and the real input
tokens (fresh + cache written + cache read). A reply that ran server tools is counted as the
loop it was (`server_loop.loop_input` over the real reply's blocks: each iteration re-reads the
prompt and the results so far). A request with `context_management` is left out of the fit (its
count is taken after the edits), not of the figures. After the fit, the figures table of
`docs/tokens.md` is rewritten from a replay of the corpus (`conformance.token_figures`).

The counting code is linear in its coefficients, so a row's feature for coefficient k is the
count with k = 1 and every other coefficient 0 (`input_tokens.segments(..., fit=...)`): the fit
can never drift from the code. Coefficients are fitted by least absolute relative error
(iteratively reweighted least squares), none below 0: first every coefficient over all rows,
then each family's own ones over its rows (media, citation and server-tool costs stay pooled);
a coefficient no row exercises keeps the pooled value (or the committed one).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver.conformance.checks import json_of  # noqa: E402
from mockserver.conformance.sources import read_sources  # noqa: E402
from mockserver.conformance.token_scope import unreproducible  # noqa: E402
from mockserver.conformance.tokens import input_tokens as real_input_tokens  # noqa: E402
from mockserver.conformance import token_figures  # noqa: E402
from mockserver.conformance.token_figures import ENDPOINTS, real_answer  # noqa: E402
from mockserver.engine import input_tokens, server_loop, token_fit  # noqa: E402
from mockserver.engine.tokenizer import Memo  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "real-traffic"
DOCS = ROOT / "docs" / "tokens.md"
PAGES = (DOCS, ROOT / "README.md")  # the per-group figures, between the same markers in both
FIGURES_START, FIGURES_END = "<!-- figures: tools/refit_tokens.py -->", "<!-- end of figures -->"
SCALE = 1000.0  # a unit coefficient is evaluated as 1000 so that rounding to whole tokens costs nothing
MIN_ROWS = 1    # rows a coefficient needs in a family before the family fits its own value
# Model lines whose counts differ (their own text ratio, tool prompt ...), by model id prefix;
# the longest prefix wins, a model matching none is `default` (Claude 4.5 and later).
FAMILIES = {"default": [], "claude-3": ["claude-3-"], "claude-3-5": ["claude-3-5-"], "claude-3-opus": ["claude-3-opus"],
            "claude-4.0": ["claude-sonnet-4-0", "claude-sonnet-4-2025", "claude-opus-4-0", "claude-opus-4-2025",
                           "claude-opus-4-1"],
            "claude-sonnet-5": ["claude-sonnet-5"]}
FIXED = {"image": 1.0}  # the documented formula is taken as it is
# What the API adds for media, citations and server tools is the same for every model line (and
# too few recordings per family would fit noise): fitted once over all rows.
SHARED = ("image_unfetched", "pdf_", "document_", "citations", "server_", "web_search_result", "mcp_toolset")


@dataclass(slots=True)
class Row:
    source: str
    request: dict[str, Any]
    real: int
    family: str
    loop: list[dict[str, Any]] | None = None  # the real reply's content, when it ran server tools


def corpus_rows(root: Path = CORPUS) -> list[Row]:
    rows = []
    for file in read_sources([root]):
        for exchange in file.exchanges:
            if exchange.method != "POST" or exchange.status != 200 or exchange.path not in ENDPOINTS:
                continue
            request, answer = json_of(exchange.request_body), real_answer(exchange)
            real = real_input_tokens(answer)
            if not isinstance(request, dict) or not real or unreproducible(request) \
                    or request.get("context_management"):
                continue
            loop = answer["content"] if _ran_server_tools(answer) else None
            rows.append(Row(exchange.source, request, real, _family(request.get("model")), loop))
    return rows


def _family(model: Any) -> str:
    name = model if isinstance(model, str) else ""
    matches = [(len(p), family) for family, prefixes in FAMILIES.items() for p in prefixes if name.startswith(p)]
    return max(matches)[1] if matches else "default"


def _ran_server_tools(answer: Any) -> bool:
    content = answer.get("content") if isinstance(answer, dict) else None
    return any(isinstance(b, dict) and b.get("type") in ("server_tool_use", "mcp_tool_use") for b in content or ())


def features(row: Row, names: list[str]) -> tuple[list[float], float]:
    """The row's count as (coefficient k's share for each k, the part no coefficient scales)."""
    memo = Memo()

    def tokens(fit: dict[str, float]) -> int:
        prompt = sum(s.tokens for s in input_tokens.segments(row.request, memo, fit=fit))
        if row.loop is None:
            return prompt
        return server_loop.loop_input(prompt, row.loop, input_tokens.Counter(fit, memo))

    constant = tokens(dict.fromkeys(names, 0.0))
    return [(tokens({**dict.fromkeys(names, 0.0), name: SCALE}) - constant) / SCALE for name in names], constant


def fit_family(rows: list[Row], names: list[str], fallback: dict[str, float], pooled: bool = False) -> dict[str, float]:
    """The coefficients that fit `rows` best; `fallback` gives those the rows cannot fit (or, unless
    `pooled`, that every family shares)."""
    evaluated = [features(r, names) for r in rows]
    xs = [x for x, _ in evaluated]
    supported = [k for k, name in enumerate(names) if name not in FIXED and (pooled or not shared(name))
                 and sum(1 for x in xs if x[k]) >= MIN_ROWS]
    fixed = {name: FIXED.get(name, fallback[name]) for k, name in enumerate(names) if k not in supported}
    targets = [r.real - constant - sum(fixed[n] * x[k] for k, n in enumerate(names) if n in fixed)
               for r, (x, constant) in zip(rows, evaluated)]
    free = list(supported)
    while True:
        solution = _irls([[x[k] for k in free] for x in xs], targets, [r.real for r in rows])
        negative = [k for k, value in zip(free, solution) if value < 0]
        if not negative:
            break
        free = [k for k in free if k not in negative]  # pinned at 0, the rest refitted
    fitted = dict(fixed)
    fitted.update({names[k]: 0.0 for k in supported})
    fitted.update({names[k]: value for k, value in zip(free, solution)})
    return {name: _tidy(fitted[name]) for name in names}


def _irls(matrix: list[list[float]], targets: list[float], reals: list[int], rounds: int = 40) -> list[float]:
    """Minimise sum |prediction - real| / real by reweighted least squares."""
    weights = [1.0 / real ** 2 for real in reals]
    solution = [0.0] * (len(matrix[0]) if matrix else 0)
    for _ in range(rounds):
        solution = _least_squares(matrix, targets, weights)
        residuals = [abs(sum(a * b for a, b in zip(row, solution)) - t) / real
                     for row, t, real in zip(matrix, targets, reals)]
        weights = [1.0 / (max(r, 1e-3) * real ** 2) for r, real in zip(residuals, reals)]
    return solution


def _least_squares(matrix: list[list[float]], targets: list[float], weights: list[float]) -> list[float]:
    n = len(matrix[0]) if matrix else 0
    normal = [[sum(w * row[i] * row[j] for row, w in zip(matrix, weights)) + (1e-9 if i == j else 0.0)
               for j in range(n)] for i in range(n)]
    rhs = [sum(w * row[i] * t for row, t, w in zip(matrix, targets, weights)) for i in range(n)]
    return _solve(normal, rhs)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems are a few dozen unknowns)."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            m[r] = [x - factor * y for x, y in zip(m[r], m[col])]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) >= 1e-12:
            out[r] = (m[r][n] - sum(m[r][c] * out[c] for c in range(r + 1, n))) / m[r][r]
    return out


def _tidy(value: float) -> float | int:
    value = round(value, 3) if abs(value) < 10 else round(value)
    return int(value) if value == int(value) and abs(value) >= 10 else value


def shared(name: str) -> bool:
    return name.startswith(SHARED)


def refit(rows: list[Row], committed: dict[str, dict]) -> dict[str, dict]:
    """All rows fit every coefficient together first; then each family refits its own ones
    (text ratio, framing, tool prompts ...), the shared ones held at the pooled values."""
    names = list(committed["default"]["coefficients"])
    pooled = fit_family(rows, names, committed["default"]["coefficients"], pooled=True)
    out = {}
    for family, prefixes in FAMILIES.items():
        mine = [r for r in rows if r.family == family]
        out[family] = {"models": prefixes, "coefficients": fit_family(mine, names, pooled)}
    return out


def render(families: dict[str, dict]) -> str:
    head = ("# Token accounting coefficients per model family, fitted on the real usage of\n"
            "# tests/fixtures/real-traffic/. Generated by tools/refit_tokens.py: do not edit by hand.\n")
    return head + yaml.safe_dump({"families": families}, sort_keys=False, width=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed fit differs from a refit")
    args = parser.parse_args(argv)
    committed = token_fit.families()
    fitted = render(refit(corpus_rows(), committed))
    if args.check:
        stale = token_fit.FIT_PATH.read_text() != fitted or any(
            page.read_text() != with_figures(page.read_text()) for page in PAGES)
        print("token fit is stale: run tools/refit_tokens.py" if stale else "token fit and docs/tokens.md are current")
        return 1 if stale else 0
    token_fit.FIT_PATH.write_text(fitted)
    token_fit.families.cache_clear()
    token_fit._coefficients.cache_clear()
    for page in PAGES:
        page.write_text(with_figures(page.read_text()))
    print(f"wrote {token_fit.FIT_PATH.relative_to(ROOT)}, {DOCS.relative_to(ROOT)} and README.md")
    return 0


def with_figures(page: str) -> str:
    """`page` with the text between the figures markers replaced by a fresh table."""
    start, end = page.index(FIGURES_START) + len(FIGURES_START), page.index(FIGURES_END)
    return page[:start] + "\n" + token_figures.render(token_figures.figures([CORPUS])) + page[end:]


if __name__ == "__main__":
    raise SystemExit(main())
