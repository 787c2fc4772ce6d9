"""Outreach developer tooling: the local simulator and the ``outreach`` command (not deployed)."""
