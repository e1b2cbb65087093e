"""Podium's Textual clients and the ``podium`` command line."""
