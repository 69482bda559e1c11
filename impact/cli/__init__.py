"""The command line: click commands that parse options, call a use case and pick a renderer."""
