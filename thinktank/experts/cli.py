from flask.cli import AppGroup

experts_cli = AppGroup("experts", help="Import and export the expert pool.")
