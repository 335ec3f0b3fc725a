//! The conventions every command's output follows, as ripgrep and cargo do:
//! `--format text|json` (with `--json` kept as its alias), `--color auto|always|never` (and
//! `NO_COLOR`), `-q`, a quiet exit when the reader of a pipe goes away (`iamspec ... | head`),
//! and progress on a terminal for long runs. Commands take [`OutputArgs`] with
//! `#[command(flatten)]` and print through [`out!`](crate::out) and [`Output`].

use std::fmt;
use std::io::{IsTerminal, Write};

/// What a command prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    /// One JSON array of records, each naming its file ([`Records`]).
    Json,
    /// SARIF 2.1.0, for code scanning: only commands that produce findings.
    Sarif,
}

/// `--format` of the commands that do not produce findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TextOrJson {
    Text,
    /// One JSON array of records, each naming its file.
    Json,
}

/// `--format` of the commands that produce findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FindingsFormat {
    /// One line per finding.
    Text,
    /// One JSON array of records, each naming its file.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Debug, Default, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<TextOrJson>,
    /// The same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// When to colour the output (`NO_COLOR` in the environment means `never` for `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Print only what answers the question (failures, findings, decisions) and the summary
    /// line: no notes, no per-file totals, no progress.
    #[arg(short, long)]
    quiet: bool,
}

/// [`OutputArgs`] for the commands that produce findings: `--format` also takes `sarif`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct FindingsOutputArgs {
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<FindingsFormat>,
    /// The same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// When to colour the output (`NO_COLOR` in the environment means `never` for `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Print only the findings and the summary line: no notes, no progress.
    #[arg(short, long)]
    quiet: bool,
}

/// The resolved choices.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub format: Format,
    pub color: bool,
    pub quiet: bool,
    progress: bool,
}

impl OutputArgs {
    pub fn resolve(&self) -> Output {
        let format = match (self.json, self.format) {
            (true, _) | (false, Some(TextOrJson::Json)) => Format::Json,
            _ => Format::Text,
        };
        resolve(format, self.color, self.quiet)
    }
}

impl FindingsOutputArgs {
    pub fn resolve(&self) -> Output {
        let format = match (self.json, self.format) {
            (true, _) | (false, Some(FindingsFormat::Json)) => Format::Json,
            (false, Some(FindingsFormat::Sarif)) => Format::Sarif,
            _ => Format::Text,
        };
        resolve(format, self.color, self.quiet)
    }
}

fn resolve(format: Format, color: ColorChoice, quiet: bool) -> Output {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
    };
    Output {
        format,
        color: color && format == Format::Text,
        quiet,
        progress: !quiet && std::io::stderr().is_terminal(),
    }
}

/// SGR colours used in text output.
#[derive(Clone, Copy, Debug)]
pub enum Paint {
    Red,
    Green,
    Yellow,
}

impl Output {
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// `text` in `paint` when colour is on.
    pub fn paint<'a>(&self, paint: Paint, text: &'a str) -> Painted<'a> {
        Painted {
            text,
            code: self.color.then_some(match paint {
                Paint::Red => "31",
                Paint::Green => "32",
                Paint::Yellow => "33",
            }),
        }
    }

    /// A note on standard error (what was skipped, restarts), unless `-q`.
    pub fn note(&self, text: fmt::Arguments<'_>) {
        if !self.quiet {
            self.clear_progress();
            eprintln!("{text}");
        }
    }

    /// Shows `done/total what` on the terminal's last line of standard error (nothing when
    /// standard error is not a terminal, or with `-q`).
    pub fn progress(&self, done: usize, total: usize, what: &str) {
        if self.progress {
            let what: String = what.chars().take(60).collect();
            eprint!("\r\x1b[2K[{done}/{total}] {what}");
            let _ = std::io::stderr().flush();
        }
    }

    pub fn clear_progress(&self) {
        if self.progress {
            eprint!("\r\x1b[2K");
        }
    }
}

pub struct Painted<'a> {
    text: &'a str,
    code: Option<&'static str>,
}

impl fmt::Display for Painted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "\x1b[{code}m{}\x1b[0m", self.text),
            None => f.write_str(self.text),
        }
    }
}

/// Writes `text` to standard output, exiting quietly on a closed pipe as [`line()`] does.
pub fn write(text: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(text).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Writes `text` and a newline to standard output. When the reader has gone (a closed pipe),
/// the command has nobody left to tell anything: it exits at once, quietly, with status 0, as
/// ripgrep does.
pub fn line(text: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// The JSON output of a command: one array of records, each naming its file. Records are
/// written as they come, one per line inside the brackets, so that a long run neither holds them
/// all nor shows nothing until it ends; [`Records::finish`] closes the array (`[]` when there
/// was no record).
#[derive(Debug, Default)]
pub struct Records {
    started: bool,
}

impl Records {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, record: &serde_json::Value) {
        let separator = if self.started { ",\n" } else { "[\n" };
        self.started = true;
        write(format_args!("{separator}{record}"));
    }

    pub fn finish(self) {
        if self.started {
            line(format_args!("\n]"));
        } else {
            line(format_args!("[]"));
        }
    }
}

/// `println!` through [`line()`].
#[macro_export]
macro_rules! out {
    () => { $crate::output::line(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::line(format_args!($($arg)*)) };
}

/// For commands that still print with `println!`: a panic caused by a closed standard output
/// ends the program quietly instead of with a panic message and status 101.
pub fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
