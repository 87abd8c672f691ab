"""The evaluation of an event (evaluasi penyelenggaraan): a form per event copied from the
office's template, answered once per registration through a personal token or the ticket code,
anonymous by default, and its results."""
