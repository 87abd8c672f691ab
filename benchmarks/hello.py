"""The yardstick of benchmarks.national: the least a Flask app under the same gunicorn can do."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
