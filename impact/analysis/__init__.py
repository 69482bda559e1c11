"""Use cases: what the command line (or any other front end) asks of a catalog."""
