"""The moderator console (`podium moderator`): drive the day, notes, questions, messages."""
