use std::fmt;

/// Why a run against an external implementation cannot go on. Each of these ends the run with
/// one message (exit status 2), not one failure per case.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImplementationError {
    #[error("cannot start the implementation {command}: {message}")]
    CannotStart { command: String, message: String },
    #[error("the implementation {command} {status} before answering case {case}{tail}")]
    Exited {
        command: String,
        /// `exited with status 3`, `was killed by signal 9`.
        status: String,
        case: String,
        tail: StderrTail,
    },
    #[error("the implementation {command} wrote a line of more than {limit} bytes without a newline (line {line}, starting {start}){tail}")]
    LineTooLong {
        command: String,
        limit: usize,
        line: usize,
        start: String,
        tail: StderrTail,
    },
    #[error("the implementation {command} answers without reading its input: case {case} could not be sent{tail}")]
    NotReading {
        command: String,
        case: String,
        tail: StderrTail,
    },
    #[error("the implementation {command} speaks line protocol {got}; this runner speaks {want} (line {line}: {text})")]
    Protocol {
        command: String,
        got: String,
        want: u32,
        line: usize,
        text: String,
    },
    #[error("stopped after {count} lines that were not answers to the case asked (the last: line {line}, {what}){tail}")]
    TooManyBadLines {
        count: usize,
        line: usize,
        what: String,
        tail: StderrTail,
    },
}

/// The last lines the implementation wrote to its standard error, each shortened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StderrTail(pub Vec<String>);

impl fmt::Display for StderrTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("; its standard error was empty");
        }
        f.write_str("; its standard error ended with:")?;
        for line in &self.0 {
            write!(f, "\n  | {line}")?;
        }
        Ok(())
    }
}
