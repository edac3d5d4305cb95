"""Data commands: `ecombot import …` and `ecombot seed-demo`."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
