"""Files: presets (TOML), model files (.npz) and data written out as CSV."""
