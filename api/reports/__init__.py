"""Reports: candidate, shortlist and funnel reports as JSON, standalone HTML and PDF."""
