"""The hall display (`podium hall`): the audience screen and the stage monitor."""
