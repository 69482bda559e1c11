"""Adversarial inputs and outputs: each case asserts the exact behaviour (issue 7)."""
