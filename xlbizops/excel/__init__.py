"""The Excel boundary: cells in, core inputs; core results out, cells."""
