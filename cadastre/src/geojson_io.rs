//! geojson_io (to be written).
