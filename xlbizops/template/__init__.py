"""Template workbooks: what is on each sheet (sheets), writing them (build), VBA and
ribbon (vba)."""
