"""The `flask --app wsgi portal ...` command group; each feature adds its commands to it."""

from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="Run the portal's maintenance commands.")


def add_commands(app, *commands) -> None:
    for command in commands:
        portal_cli.add_command(command)
    app.cli.add_command(portal_cli)
