"""The run: what each shot needs now, the journal, the money gate, scheduling, polling and status."""
