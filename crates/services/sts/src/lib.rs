//! STS for Stratus (in progress).
