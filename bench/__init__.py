"""The benchmark: the mock against Prism, Steady and fixed-bytes ceilings, measured side by side."""
