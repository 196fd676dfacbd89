"""Loopback sites used only by the tests and benchmarks (the demo portal ships; these do not)."""
