"""The pieces of tools/build_spec.py: schema helpers, the schema builder, operations, versions, output."""
