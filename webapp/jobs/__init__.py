"""Jobs: CLI commands, the push dispatcher, demo and generated data, backups."""
