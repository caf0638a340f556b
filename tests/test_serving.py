"""gunicorn with the project's configuration serves the portal in production mode."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_portal_with_one_log_line_per_request(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_ENV="production", PORTAL_SECRET_KEY="s3cret", PORTAL_PUBLIC_URL=f"http://127.0.0.1:{port}",
               PORTAL_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.db'}",
               PORTAL_BIND=f"127.0.0.1:{port}", PORTAL_WORKERS="2")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "portal"]
    subprocess.run([*flask, "init-db"], cwd=PROJECT, env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([*flask, "demo", "--articles", "12"], cwd=PROJECT, env=env, check=True, capture_output=True,
                   timeout=60)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert response.status == 200
        request = urllib.request.Request(base + "/", headers={"X-Request-ID": "check-42"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            assert response.headers["X-Request-ID"] == "check-42"
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert b'class="story"' in response.read()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    lines = [line for line in output.splitlines() if "portal.requests" in line]
    assert any(" GET / 200 " in line and line.endswith("ms id=check-42") for line in lines), output
    assert sum("GET /healthz" in line for line in lines) >= 1
