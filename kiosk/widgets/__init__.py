"""Widgets shared by Podium's screens (hall, stage, and the moderator's preview)."""
