"""The sub-commands of `clearview`, one module each (see `clearview.cli`)."""
