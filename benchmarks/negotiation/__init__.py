"""Negotiation behaviour: a Cooperate-to-Compete (C2C) conquest game with private, non-binding deals.

The engine (pure Python, no model inside) lives in engine.py; bots.py has the baseline players. The Inspect task that
seats language models is still to come (README.md).
"""
