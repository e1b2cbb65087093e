"""Textual themes and stylesheets for Podium's screens (loaded by name with --theme)."""
