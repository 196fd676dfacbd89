"""Settings files, shipped as package data (read with importlib.resources); no code."""
