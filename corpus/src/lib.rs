//! The managed-policy corpus and the action catalogue.
