//! The command line: every flag and its help text, in one place. Flags are
//! grouped by heading; a new flag is one field here and, when it changes
//! what a run does, one line in `args.rs`.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::inspect::Kind;
use crate::report::Format;
use crate::rules::{Code, validate_selector};
use crate::target::Flavour;

const ABOUT: &str = "Checks eKuiper native plugin packages before they are uploaded";

const AFTER_HELP: &str = "\
Inputs:
  a .zip package, a bare .so, `-` (a zip package on standard input), a
  plugin project file (go.mod, etc/{sources,sinks,functions}/NAME.json or
  NAME.yaml: project mode), or a folder: every *.zip below it (skipping
  .git, node_modules, target and hidden folders); a folder with no zip is
  linted as an unpacked package when it holds a .so at its root, or as a
  plugin's source tree when it holds a go.mod.

Exit status:
  0  no error-level finding
  1  at least one error-level finding
  2  the tool could not run (bad arguments, settings or host; an input that
     does not exist or cannot be read: the other inputs are still linted)";

/// Colour choice for `--color`, as ripgrep and ruff spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, honouring NO_COLOR, FORCE_COLOR,
    /// CLICOLOR_FORCE and TERM=dumb.
    #[default]
    Auto,
    Always,
    Never,
}

/// One `--output-file FORMAT:FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub format: Format,
    pub path: PathBuf,
}

#[derive(Debug, Parser)]
#[command(name = "ekplugin-lint", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Packages to lint: .zip, .so, `-` (stdin), project files or folders
    /// (see Inputs below).
    #[arg(required_unless_present_any = ["explain", "list_rules", "completions", "man", "show_settings"])]
    pub paths: Vec<PathBuf>,

    /// The plugin kind, as registered (default: inferred from the library).
    #[arg(long, value_parser = kind_parser(), help_heading = "Plugin")]
    pub kind: Option<Kind>,

    /// The plugin name, as registered (default: the library's file name with
    /// the first letter lower-cased).
    #[arg(long, help_heading = "Plugin")]
    pub name: Option<String>,

    /// The eKuiper release to check against (default: the newest known; a
    /// newer or unknown release falls back to the nearest known, with a
    /// warning).
    #[arg(long, value_name = "EKUIPER_VERSION", help_heading = "Target")]
    pub target: Option<String>,

    /// The official image flavour the plugin will run in: `alpine` (the
    /// default images, musl) or `slim` (debian-based, glibc).
    #[arg(long, value_enum, help_heading = "Target")]
    pub image: Option<Flavour>,

    /// An eKuiper executable (kuiperd) to check binary compatibility
    /// against; its facts override the release profile's.
    #[arg(long, value_name = "PATH", help_heading = "Target")]
    pub host: Option<PathBuf>,

    /// Only report these rules: codes, code prefixes (`S`, `A00`) or names.
    #[arg(long, value_delimiter = ',', value_parser = parse_selector, help_heading = "Rules")]
    pub select: Vec<String>,

    /// Never report these rules: codes, code prefixes or names.
    #[arg(long, value_delimiter = ',', value_parser = parse_selector, help_heading = "Rules")]
    pub ignore: Vec<String>,

    /// Treat warnings as errors (exit status 1 when any is found).
    #[arg(long, help_heading = "Rules")]
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
    /// Settings file (default: ekplugin-lint.toml in the current folder or above).
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub config: Option<PathBuf>,

    /// Silence the findings recorded in FILE (written by --write-baseline);
    /// recorded findings that no longer occur are reported.
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in FILE, for --baseline, and exit 0.
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub write_baseline: Option<PathBuf>,

    /// Output format of the report on standard output (and of --list-rules).
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// Also write the report in FORMAT to FILE (repeatable), e.g.
    /// `--output-file sarif:lint.sarif --format github`.
    #[arg(long, value_name = "FORMAT:FILE", value_parser = parse_output_file, help_heading = "Output")]
    pub output_file: Vec<OutputFile>,

    /// When to colour the human report.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,

    /// Print nothing about clean packages, and no summary when all are clean.
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,

    /// Print how many findings each rule has instead of the findings.
    #[arg(long, help_heading = "Output")]
    pub statistics: bool,

    /// Print the resolved settings (target, settings file, limits,
    /// selection) and exit.
    #[arg(long, help_heading = "Information")]
    pub show_settings: bool,

    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "CODE", value_parser = parse_code, help_heading = "Information")]
    pub explain: Option<Code>,

    /// List every rule and exit (`--format json` for a JSON array).
    #[arg(long, help_heading = "Information")]
    pub list_rules: bool,

    /// Print a shell completion script and exit.
    #[arg(long, value_name = "SHELL", help_heading = "Information")]
    pub completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit.
    #[arg(long, help_heading = "Information")]
    pub man: bool,
}

/// `--kind` with its values listed in `--help` and completions.
fn kind_parser() -> impl TypedValueParser<Value = Kind> {
    PossibleValuesParser::new(["source", "sink", "function"])
        .map(|kind| kind.parse::<Kind>().expect("a listed kind parses"))
}

fn parse_code(s: &str) -> Result<Code, String> {
    s.parse()
}

fn parse_selector(s: &str) -> Result<String, String> {
    validate_selector(s).map(|()| s.to_string())
}

fn parse_output_file(s: &str) -> Result<OutputFile, String> {
    let (format, path) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not FORMAT:FILE (e.g. sarif:lint.sarif)"))?;
    let format = Format::from_str(format, true)?;
    if path.is_empty() {
        return Err(format!("`{s}` names no file"));
    }
    Ok(OutputFile {
        format,
        path: PathBuf::from(path),
    })
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

/// The man page: clap's sections, with EXIT STATUS and ENVIRONMENT
/// written out as man pages have them.
pub fn write_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = Cli::command_with_version().after_help(None::<&str>);
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    out.write_all(MAN_SECTIONS.as_bytes())?;
    man.render_version_section(out)
}

const MAN_SECTIONS: &str = r#".SH INPUTS
A .zip package, a bare .so, \fB\-\fR (a zip package on standard input), a
plugin project file (go.mod, etc/sources|sinks|functions/NAME.json or NAME.yaml),
or a folder: every *.zip below it, skipping .git, node_modules, target and
hidden folders. A folder with no zip is linted as an unpacked package when it
holds a .so at its root, or as a plugin's source tree when it holds a go.mod.
.SH "EXIT STATUS"
.TP
\fB0\fR
No error\-level finding.
.TP
\fB1\fR
At least one error\-level finding (a corrupt or hostile package is a finding).
.TP
\fB2\fR
The tool could not run: bad arguments, settings or host, or an input that does
not exist or cannot be read (the other inputs are still linted and reported).
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
Disables colour with \fB\-\-color auto\fR.
.TP
\fBFORCE_COLOR\fR, \fBCLICOLOR_FORCE\fR
Enable colour with \fB\-\-color auto\fR even when standard output is not a terminal.
.TP
\fBTERM\fR=dumb
Disables colour with \fB\-\-color auto\fR.
.SH FILES
.TP
\fBekplugin\-lint.toml\fR
Settings, found in the current folder or above (\fB\-\-config\fR names another).
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files_take_format_and_path() {
        let file = parse_output_file("sarif:out/lint.sarif").unwrap();
        assert_eq!(file.format, Format::Sarif);
        assert_eq!(file.path, PathBuf::from("out/lint.sarif"));
        // Only the first colon separates: Windows-like paths keep theirs.
        assert_eq!(
            parse_output_file("json:c:/x.json").unwrap().path,
            PathBuf::from("c:/x.json")
        );
        assert!(parse_output_file("lint.sarif").is_err());
        assert!(parse_output_file("xml:lint.xml").is_err());
        assert!(parse_output_file("json:").is_err());
    }

    #[test]
    fn the_command_is_well_formed() {
        Cli::command_with_version().debug_assert();
    }
}
