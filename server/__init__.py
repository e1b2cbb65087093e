"""Podium's server: the programme, the live-state rules, storage and the websocket hub."""
