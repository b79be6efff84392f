"""A simple price table for the cost reports: list prices per million tokens, in USD."""

from __future__ import annotations

from decimal import Decimal

from ..catalog import Catalog

PER_MILLION = {  # (input, output) USD per million tokens, by model line
    "opus": (Decimal(5), Decimal(25)),
    "sonnet": (Decimal(3), Decimal(15)),
    "haiku": (Decimal(1), Decimal(5)),
    "fable": (Decimal(5), Decimal(25)),
    "mythos": (Decimal(25), Decimal(125)),
}
OLDER_OPUS = (Decimal(15), Decimal(75))  # Opus 4 and 4.1
INPUT_MULTIPLIERS = {
    "uncached_input_tokens": Decimal(1),
    "cache_creation.ephemeral_5m_input_tokens": Decimal("1.25"),
    "cache_creation.ephemeral_1h_input_tokens": Decimal(2),
    "cache_read_input_tokens": Decimal("0.1"),
}
LONG_CONTEXT = {"input": Decimal(2), "output": Decimal("1.5")}  # above 200k input tokens
BATCH_DISCOUNT = Decimal("0.5")
WEB_SEARCH_CENTS = Decimal(1)  # $10 per 1,000 searches
_CENTS_PER_USD_PER_MILLION = Decimal(100) / Decimal(1_000_000)


def cents_per_token(catalog: Catalog, model: str, token_type: str, context_window: str) -> Decimal:
    """The list price of one token of `token_type`, in cents."""
    entry = catalog.resolve(model)
    if entry is not None and entry.line == "opus" and entry.id.startswith(("claude-opus-4-0", "claude-opus-4-1",
                                                                           "claude-opus-4-2025")):
        base_in, base_out = OLDER_OPUS
    else:
        base_in, base_out = PER_MILLION.get(entry.line if entry else "sonnet", PER_MILLION["sonnet"])
    long_context = context_window == "200k-1M"
    if token_type == "output_tokens":
        price = base_out * (LONG_CONTEXT["output"] if long_context else 1)
    else:
        price = base_in * INPUT_MULTIPLIERS[token_type] * (LONG_CONTEXT["input"] if long_context else 1)
    return price * _CENTS_PER_USD_PER_MILLION


def discount(service_tier: str | None) -> Decimal:
    return BATCH_DISCOUNT if service_tier == "batch" else Decimal(1)


def cents(value: Decimal) -> str:
    """A decimal string in cents, as the reports write amounts: `"123.45"`."""
    return format(value.quantize(Decimal("0.000001")).normalize(), "f")
