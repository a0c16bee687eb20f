"""Job alerts: a candidate hears about new jobs that match their resume."""
