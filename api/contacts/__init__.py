"""Contact requests: an employer asks to contact a candidate, the candidate answers."""
