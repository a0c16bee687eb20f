"""Careers: occupation knowledge (O*NET, ESCO) and what the platform's jobs ask and pay."""
