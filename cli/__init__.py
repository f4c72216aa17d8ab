"""The `tiergraph` command line and the local stack it runs."""
