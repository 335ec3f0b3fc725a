//! Conformance suites: format, runner, external protocol.
