//! Fuzz targets (stub).
