"""Scripted behaviour: rules (stubs) that match requests and answer them, sequences, scenario
states, header overrides, and the glue that applies faults, rate limits and the journal.

    behaviour.py  the scripted steps of a request's way that pipeline.py calls (answer, send)
    controls.py   the facade the control API (/_mock) uses to change and read them
    rules.py      rule and response model, parsed from YAML/JSON (schema: openapi/control.yaml)
    matching.py   the `match:` conditions; jsonpath.py their JSON paths
    book.py       rules from files and the control API, in the order they are tried
    state.py      counters, scenario states and runtime rules in SQLite (shared by workers)
    changes.py    the change counter workers read per request to notice each other's changes
    responses.py  a rule's response as a Reply (messages, streams, errors, raw bodies)
    overrides.py  x-mock-* request headers
"""
