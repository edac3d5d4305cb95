"""`ecombot seed-demo`: deterministic realistic demo data."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
