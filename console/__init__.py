"""Composition root: the `diancang` command and the web app that mounts each stage's pages."""
