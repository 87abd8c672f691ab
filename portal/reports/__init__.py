"""Reports: what the office reads after its events, drawn from every capability below
(invitations, registrations, attendance, certificates). First: which cooperatives came."""
