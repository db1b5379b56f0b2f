"""Operating a deployment: backups, restores, moving the event history."""
