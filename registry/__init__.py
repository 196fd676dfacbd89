"""The seed registry: each library's seed sites, in the catalogue database."""
