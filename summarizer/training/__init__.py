"""Deterministic training scripts for the weights shipped inside the package."""
