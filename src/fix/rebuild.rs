//! Findings in the library itself (its Go release, API module, build
//! flags, exports, machine or C library) cannot be repacked away: the
//! repair ends with the commands that rebuild it for the target.

use crate::diagnostic::Severity;
use crate::inspect::identity::uc_first;
use crate::lint::Outcome;
use crate::rules::Code;
use crate::target::{Libc, Target};

/// The rules whose findings only a rebuild (or a code change) clears.
const REBUILD: &[Code] = &[
    Code::E001,
    Code::E002,
    Code::E003,
    Code::E004,
    Code::E005,
    Code::S001,
    Code::S002,
    Code::S004,
    Code::S005,
    Code::S006,
    Code::S007,
    Code::S008,
    Code::B001,
    Code::B002,
    Code::B003,
    Code::B004,
    Code::B005,
    Code::B007,
    Code::H001,
];

/// The rebuild commands, or nothing when no remaining error or warning
/// needs one.
pub fn commands(outcome: &Outcome, target: Option<&Target>) -> Vec<String> {
    let codes: Vec<Code> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning && REBUILD.contains(&d.code))
        .map(|d| d.code)
        .collect();
    if codes.is_empty() {
        return Vec::new();
    }
    let plugin = &outcome.plugin;
    let library = plugin.library.clone().unwrap_or_else(|| {
        let name = plugin.name.as_deref().unwrap_or("plugin");
        format!("{}@v1.0.0.so", uc_first(name))
    });
    let mut lines = Vec::new();
    if let Some(symbol) = export_advice(&codes, plugin) {
        lines.push(symbol);
    }
    let Some(target) = target else {
        lines.push(format!(
            "CGO_ENABLED=1 go build -buildmode=plugin -trimpath -ldflags=\"-s -w\" -o {library} ."
        ));
        return lines;
    };
    if let Some((module, version)) = &target.api {
        lines.push(format!("go get {module}@{version}"));
        if codes.contains(&Code::B005) {
            lines.push(format!("go mod edit -dropreplace {module}"));
        }
    }
    let trimpath = if target.trimpath == Some(false) {
        ""
    } else {
        " -trimpath"
    };
    let goarch = target
        .arches
        .first()
        .map(|arch| format!(" GOARCH={}", arch.goarch()))
        .unwrap_or_default();
    lines.push(format!(
        "CGO_ENABLED=1 GOOS=linux{goarch} go build -buildmode=plugin{trimpath} -ldflags=\"-s -w\" -o {library} ."
    ));
    let go = target.go.as_deref().unwrap_or("the target's Go release");
    let place = match (&target.build_image, target.libc) {
        (Some(image), _) => format!("in the image {image}"),
        (None, Some(Libc::Musl)) => "against musl, as an alpine-based image does".to_string(),
        (None, Some(Libc::Glibc)) => "against glibc, as a debian-based image does".to_string(),
        (None, None) => "against the host's C library".to_string(),
    };
    lines.push(format!("# with {go} {place}, for {}", target.source));
    lines
}

/// For export findings, what the main package must export.
fn export_advice(codes: &[Code], plugin: &crate::lint::PluginSummary) -> Option<String> {
    let touches_exports = codes
        .iter()
        .any(|code| matches!(code, Code::S001 | Code::S002 | Code::S004 | Code::S005));
    let touches_interfaces = codes
        .iter()
        .any(|code| matches!(code, Code::S006 | Code::S007 | Code::S008));
    if touches_interfaces && !touches_exports {
        return Some(
            "# first implement the interfaces a rule uses (see the S006-S008 findings)".into(),
        );
    }
    if !touches_exports {
        return None;
    }
    let name = plugin.name.as_deref()?;
    let kind = plugin.kind?;
    Some(format!(
        "# first export `func {}() api.{}` from the plugin's main package",
        uc_first(name),
        kind.interface()
    ))
}
