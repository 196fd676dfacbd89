"""Review: automatic QA scores, the curators' review queue and decisions, the audit log,
provincial sampling (抽检); publishing of catalogue records follows review."""
