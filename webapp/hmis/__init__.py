"""Case records in HUD's HMIS CSV format, for the programs that ask HUD's data elements: `codes`
(the format's version, files and columns) and `export` (the zip, audited)."""
