"""impact: what a change to a revenue stack will break, before it ships."""

__version__ = "0.1.0"
