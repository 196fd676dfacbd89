"""The year's numbers of each library against the programme's targets."""
