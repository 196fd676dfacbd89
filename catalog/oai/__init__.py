"""OAI-PMH 2.0 provider: ``provider`` answers requests, ``app`` mounts it at ``/oai``."""
