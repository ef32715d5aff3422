"""Reports for funders: what a network did in a period, as figures, charts, PDF and XLSX."""
