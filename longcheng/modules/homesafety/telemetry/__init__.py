"""Device plumbing that knows no device type, rule or alarm: envelope limits and parsing, the device
and gateway registry, (device, seq) idempotency, dead letters, sequence gaps, the latest-state row
and the batch that runs them. Issue 20 moves this package into the kernel part `telemetry`, so
nothing here may import home safety's device types, rules, alarms or actions (an import-linter
contract checks it); home safety's side is `ingest.py` (an `Application`) and the MQTT workers."""
