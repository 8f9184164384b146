"""Generates the vendor client packages under ``generated/`` from the specs under ``specs/``."""
