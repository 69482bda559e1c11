"""One module per output format: pure functions of analysis results."""
