"""Sluice's plugins for LocalStack 4.14 running natively (no Docker)."""
