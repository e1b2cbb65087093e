"""The attendee client (`podium attendee`): now and next, the programme, ask the panel, vote."""
