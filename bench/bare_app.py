"""The floor a page's throughput is compared with: a Flask app whose one route returns a short
HTML string, served by serve_load.py with the portal's gunicorn settings.

    gunicorn -c gunicorn.conf.py --pythonpath bench bare_app:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "<!doctype html><title>bare</title><p>bare Flask</p>"
