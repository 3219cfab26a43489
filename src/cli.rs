//! The command line: every flag and its help text, in one place.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};

use crate::inspect::Kind;
use crate::report::Format;
use crate::rules::{Code, validate_selector};
use crate::target::Flavour;

#[derive(Debug, Parser)]
#[command(
    name = "ekplugin-lint",
    version,
    about = "Checks eKuiper native plugin packages before they are uploaded",
    after_help = "Exit status: 0 no error-level finding, 1 at least one, 2 the tool could not run."
)]
pub struct Cli {
    /// Packages to lint: a .zip, a bare .so, or a folder (every *.zip below it).
    #[arg(required_unless_present_any = ["explain", "list_rules", "completions", "man"])]
    pub paths: Vec<PathBuf>,

    /// The plugin kind, as registered (default: inferred from the library).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,

    /// The plugin name, as registered (default: the library's file name with
    /// the first letter lower-cased).
    #[arg(long)]
    pub name: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Only report these rules: codes, code prefixes (`S`, `A00`) or names.
    #[arg(long, value_delimiter = ',', value_parser = parse_selector)]
    pub select: Vec<String>,

    /// Never report these rules: codes, code prefixes or names.
    #[arg(long, value_delimiter = ',', value_parser = parse_selector)]
    pub ignore: Vec<String>,

    /// The eKuiper release to check against (default: the newest known).
    #[arg(long, value_name = "EKUIPER_VERSION")]
    pub target: Option<String>,

    /// The official image flavour the plugin will run in: `alpine` (the
    /// default images, musl) or `slim` (debian-based, glibc).
    #[arg(long, value_enum)]
    pub image: Option<Flavour>,

    /// An eKuiper executable (kuiperd) to check binary compatibility
    /// against; its facts override the release profile's.
    #[arg(long, value_name = "PATH")]
    pub host: Option<PathBuf>,

    /// Settings file (default: ekplugin-lint.toml in the current folder or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Treat warnings as errors (exit status 1 when any is found).
    #[arg(long)]
    pub warnings_as_errors: bool,

    /// Repair what repacking can repair (layout, names, missing config or
    /// descriptor, CRLF in install.sh), then report what remains. Replaces
    /// each package atomically unless -o or --out-dir is given.
    #[arg(long, help_heading = "Fixing")]
    pub fix: bool,

    /// With --fix: write the repaired package to FILE (one package only).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        requires = "fix",
        conflicts_with = "out_dir",
        help_heading = "Fixing"
    )]
    pub output: Option<PathBuf>,

    /// With --fix: write each repaired package into DIR, under its own name.
    #[arg(long, value_name = "DIR", requires = "fix", help_heading = "Fixing")]
    pub out_dir: Option<PathBuf>,

    /// Print the changes --fix would make, and write nothing. Exit status 1
    /// when there is something to change.
    #[arg(long, conflicts_with = "fix", help_heading = "Fixing")]
    pub diff: bool,

    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "CODE", value_parser = parse_code)]
    pub explain: Option<Code>,

    /// List every rule and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Print a shell completion script and exit.
    #[arg(long, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit.
    #[arg(long)]
    pub man: bool,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

fn parse_code(s: &str) -> Result<Code, String> {
    s.parse()
}

fn parse_selector(s: &str) -> Result<String, String> {
    validate_selector(s).map(|()| s.to_string())
}

impl Cli {
    /// The clap command, with `--version` also telling how many rules
    /// this build knows.
    pub fn command_with_version() -> clap::Command {
        let version = format!("{} ({} rules)", env!("CARGO_PKG_VERSION"), Code::ALL.len());
        Cli::command().version(version)
    }

    /// Parses the process's arguments (exits with status 2 on bad ones).
    pub fn parse_args() -> Cli {
        let matches = Cli::command_with_version().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}
