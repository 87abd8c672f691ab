"""Production configuration (nginx, systemd, gunicorn, environment) and the topology test."""
