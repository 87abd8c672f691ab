"""After a meeting or training: its speakers, the notulen (agenda points and what was said), the
decisions with their follow-up actions, and the photos of the event."""
