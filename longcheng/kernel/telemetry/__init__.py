"""Device telemetry, shared by every module that has devices (issue 20): the message envelope and
its limits, and how a module plugs its device types in (`ModuleSpec.telemetry`, a `Telemetry`
declaration; see `plug.py` and docs/telemetry.md). Nothing here imports a module."""
