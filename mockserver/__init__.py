"""A faithful, scriptable mock of the Anthropic HTTP API."""

__version__ = "0.1.0"
