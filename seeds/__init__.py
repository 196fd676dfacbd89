"""Seed lists: what to capture and when, scoped by jurisdiction (GB/T 2260)."""

from seeds.load import load_seed_list
from seeds.schema import Limits, Scope, Seed, SeedError, SeedList

__all__ = ["Limits", "Scope", "Seed", "SeedError", "SeedList", "load_seed_list"]
