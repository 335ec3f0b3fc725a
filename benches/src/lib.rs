//! Shared workloads for the criterion benchmarks.
