"""Diancang (典藏): shared settings for every stage of the pipeline."""

__version__ = "0.1.0"
