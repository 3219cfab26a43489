//! A plugin project's `go.mod` (gomod-parser, which keeps the byte ranges
//! of module paths and versions for spans).

use std::str::FromStr;

use super::ParseError;
use crate::span::Span;

/// A module path and version in `go.mod`, with where the path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub path: String,
    pub version: String,
    pub span: Span,
}

/// A `replace` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub path: String,
    /// What it is replaced with: a folder or `module version`.
    pub with: String,
    pub span: Span,
}

/// What the rules read from `go.mod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoMod {
    pub module: String,
    /// The `go` directive: the minimum Go version (`1.24.0`).
    pub go: Option<String>,
    /// The `toolchain` directive (`go1.25.4`).
    pub toolchain: Option<String>,
    pub requires: Vec<Requirement>,
    pub replaces: Vec<Replace>,
}

impl GoMod {
    pub fn require(&self, path: &str) -> Option<&Requirement> {
        self.requires.iter().find(|r| r.path == path)
    }

    pub fn replace(&self, path: &str) -> Option<&Replace> {
        self.replaces.iter().find(|r| r.path == path)
    }
}

pub fn parse(text: &str) -> Result<GoMod, ParseError> {
    let parsed = gomod_parser::GoMod::from_str(text).map_err(|message| ParseError {
        message: first_line(&message),
        span: None,
    })?;
    let span = |range: &std::ops::Range<usize>| {
        Span::from_offset(text, range.start, range.end.saturating_sub(range.start))
    };
    Ok(GoMod {
        module: parsed.module.clone(),
        go: parsed.go.clone(),
        toolchain: parsed.toolchain.clone(),
        requires: parsed
            .require
            .iter()
            .map(|dependency| Requirement {
                path: dependency.module.module_path.clone(),
                version: dependency.module.version.clone(),
                span: span(&dependency.module.path_span),
            })
            .collect(),
        replaces: parsed
            .replace
            .iter()
            .map(|replace| Replace {
                path: replace.module_path.clone(),
                with: match &replace.replacement {
                    gomod_parser::Replacement::FilePath(folder) => folder.clone(),
                    gomod_parser::Replacement::Module(module) => {
                        format!("{} {}", module.module_path, module.version)
                    }
                },
                span: span(&replace.path_span),
            })
            .collect(),
    })
}

/// The parser's message, which repeats the whole input after its first line.
fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("not a go.mod file")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = "module example.com/pulse

go 1.24.0

toolchain go1.25.4

require (
\tgithub.com/lf-edge/ekuiper/contract/v2 v2.3.1
\tgolang.org/x/net v0.20.0 // indirect
)

replace github.com/lf-edge/ekuiper/contract/v2 => ../contract
";

    #[test]
    fn reads_directives_with_spans() {
        let go_mod = parse(GO_MOD).unwrap();
        assert_eq!(go_mod.module, "example.com/pulse");
        assert_eq!(go_mod.go.as_deref(), Some("1.24.0"));
        assert_eq!(go_mod.toolchain.as_deref(), Some("go1.25.4"));
        let contract = go_mod
            .require("github.com/lf-edge/ekuiper/contract/v2")
            .unwrap();
        assert_eq!(contract.version, "v2.3.1");
        assert_eq!((contract.span.line, contract.span.column), (8, 2));
        let replace = go_mod
            .replace("github.com/lf-edge/ekuiper/contract/v2")
            .unwrap();
        assert_eq!(replace.with, "../contract");
        assert_eq!(replace.span.line, 12);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("module\nrequire (((\n").is_err());
    }
}
