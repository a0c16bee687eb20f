"""Resumes service: uploads, versions, the candidate profile and erasure."""
