"""Replay: CDXJ indexes of closed WARCs, pywb collections, the curator's review around replay."""
