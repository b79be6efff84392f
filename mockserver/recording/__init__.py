"""Record and replay: proxy to an upstream, keep its answers in YAML cassettes, replay them offline.

modes.py (what each record mode does), cassette.py (the file format), tape.py (a cassette in use),
matching.py (request keys, miss explanations), redaction.py (secrets, redacted paths, normalize
rules), proxy.py (forwarding with httpx, SSE capture), replay.py (recorded response -> Reply),
recorder.py (the pipeline step MockApp calls), har.py (HAR 1.2 export), drift.py (cassettes vs the
spec), command.py (the command-line options).
"""
