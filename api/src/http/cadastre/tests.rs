//! The cadastre's routes with `oneshot`.
