"""Import, normalise and scrub recorded Anthropic API traffic for tests/fixtures/real-traffic/."""
