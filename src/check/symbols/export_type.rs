//! S002: the Go type of each symbol eKuiper looks up must pass its type
//! assertion: `func() api.X`, or a variable whose pointer implements `api.X`.

use super::interfaces::{KnownInterfaces, missing_method};
use crate::check::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::Kind;
use crate::inspect::buildinfo::{BuildInfo, CONTRACT_V2, EKUIPER_V1};
use crate::inspect::gotypes::{ExportType, Method, TypeKind, TypeName};
use crate::inspect::identity::uc_first;
use crate::rules::Code;

const API_V2: &str = "github.com/lf-edge/ekuiper/contract/v2/api";
const API_V1: &str = "github.com/lf-edge/ekuiper/pkg/api";

/// A symbol eKuiper looks up and the interface its assertion wants.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lookup {
    symbol: String,
    /// Interface names without package (`Source`); any of them passes.
    interfaces: Vec<&'static str>,
    /// Only checked when exported (a source's `…Lookup` is optional).
    optional: bool,
}

/// What eKuiper's assertion does with one export.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Accepted,
    /// `found` completes "it is …".
    Rejected {
        found: String,
    },
    /// The type could not be read; `String` completes "could not be
    /// checked: …". Reported as a note: guessing either way would be wrong.
    Unknown(String),
    /// An instance whose interface the plugin never converts a value to,
    /// so the interface's method list is not in the type data: nothing to
    /// compare against. Also a note.
    Undescribed {
        elem: TypeName,
        interface: String,
    },
}

/// S002, for every symbol eKuiper looks up: the main export (and a
/// source's `…Lookup`), or each function a function plugin declares.
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let functions: Vec<String> = ctx
        .facts
        .declared_functions()
        .into_iter()
        .map(|(name, _)| name.to_string())
        .collect();
    let Some((entry, plugin)) = ctx.facts.go_plugin() else {
        return;
    };
    let (Some(name), Some(kind)) = (ctx.facts.identity.name.as_deref(), ctx.facts.identity.kind)
    else {
        return;
    };
    // A sink registered as a source fails its assertion too, but S004 says
    // why; repeating it as a type error would hide the cause.
    if super::kinds::mismatched(ctx, plugin, kind) {
        return;
    }
    let Some(types) = ctx.facts.export_types() else {
        return;
    };
    let types = match types {
        Ok(types) => types,
        Err(reason) => {
            out.push(unknown(entry, None, reason));
            return;
        }
    };
    let api = plugin.build_info.as_ref().and_then(api_package);
    let known = KnownInterfaces {
        types,
        module: plugin.build_info.as_ref().and_then(BuildInfo::contract),
        api,
    };
    for lookup in lookups(name, kind, &functions, api) {
        let Some(export) = types.get(&lookup.symbol) else {
            // A missing symbol is S001's or S005's finding.
            continue;
        };
        let accepted = accepted_names(&lookup, api);
        match judge(export, &accepted, &known) {
            Verdict::Accepted => {}
            Verdict::Rejected { found } => out.push(rejected(entry, &lookup, &found)),
            Verdict::Unknown(reason) => out.push(unknown(entry, Some(&lookup.symbol), &reason)),
            Verdict::Undescribed { elem, interface } => {
                out.push(undescribed(entry, &lookup.symbol, &elem, &interface));
            }
        }
    }
}

/// The api package of the contract the plugin was built with; `None` when
/// the build info names neither (B001 reports that).
fn api_package(build_info: &BuildInfo) -> Option<&'static str> {
    match build_info.contract()?.path.as_str() {
        CONTRACT_V2 => Some(API_V2),
        EKUIPER_V1 => Some(API_V1),
        _ => None,
    }
}

fn lookups(name: &str, kind: Kind, functions: &[String], api: Option<&str>) -> Vec<Lookup> {
    let main = |symbol: String| Lookup {
        symbol,
        interfaces: vec![kind.interface()],
        optional: false,
    };
    match kind {
        Kind::Function if !functions.is_empty() => {
            functions.iter().map(|f| main(uc_first(f))).collect()
        }
        Kind::Source => {
            // 2.x asserts api.Source for lookup tables, 1.x api.LookupSource.
            let interfaces = match api {
                Some(API_V2) => vec!["Source"],
                Some(_) => vec!["LookupSource"],
                None => vec!["Source", "LookupSource"],
            };
            let symbol = uc_first(name);
            vec![
                Lookup {
                    symbol: format!("{symbol}Lookup"),
                    interfaces,
                    optional: true,
                },
                main(symbol),
            ]
        }
        _ => vec![main(uc_first(name))],
    }
}

/// Full names of the interfaces that pass, in the plugin's api package (or
/// either, when it is unknown).
fn accepted_names(lookup: &Lookup, api: Option<&str>) -> Vec<String> {
    let packages = api.map_or(vec![API_V2, API_V1], |api| vec![api]);
    lookup
        .interfaces
        .iter()
        .flat_map(|interface| packages.iter().map(move |p| format!("{p}.{interface}")))
        .collect()
}

fn judge(export: &ExportType, accepted: &[String], known: &KnownInterfaces) -> Verdict {
    match export {
        ExportType::Func {
            params,
            results,
            variadic,
        } => judge_func(params, results, *variadic, accepted),
        ExportType::Var {
            elem,
            pointer_methods,
        } => judge_var(elem, pointer_methods, accepted, known),
        ExportType::Unknown(reason) => Verdict::Unknown(reason.clone()),
    }
}

fn judge_func(
    params: &[TypeName],
    results: &[TypeName],
    variadic: bool,
    accepted: &[String],
) -> Verdict {
    let returns_api = matches!(results, [result]
        if result.kind == TypeKind::Interface && accepted.contains(&result.full_name()));
    if params.is_empty() && returns_api {
        return Verdict::Accepted;
    }
    let signature = func_string(params, results, variadic);
    Verdict::Rejected {
        found: format!("a {signature} ({})", func_flaw(params, results, accepted)),
    }
}

/// Why a function export fails the constructor form.
fn func_flaw(params: &[TypeName], results: &[TypeName], accepted: &[String]) -> String {
    match results {
        _ if !params.is_empty() => "a function that takes parameters".into(),
        [result] if accepted.iter().any(|a| short(a) == result.name) => format!(
            "its {} is {}, from another eKuiper API module",
            result.name,
            result.full_name()
        ),
        [result] if result.kind == TypeKind::Interface => {
            "a function returning another interface".into()
        }
        [_] => "a function returning a concrete type".into(),
        _ => "a function that does not return exactly one value".into(),
    }
}

/// How Go prints a function type.
fn func_string(params: &[TypeName], results: &[TypeName], variadic: bool) -> String {
    let mut params: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    if let Some(last) = params.last_mut().filter(|_| variadic) {
        *last = format!("...{}", last.strip_prefix("[]").unwrap_or(last));
    }
    let results: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    let results = match results.as_slice() {
        [] => String::new(),
        [one] => format!(" {one}"),
        many => format!(" ({})", many.join(", ")),
    };
    format!("func({}){results}", params.join(", "))
}

fn judge_var(
    elem: &TypeName,
    methods: &[Method],
    accepted: &[String],
    known: &KnownInterfaces,
) -> Verdict {
    if elem.kind == TypeKind::Interface {
        return Verdict::Rejected {
            found: format!("a *{elem} (a variable of interface type)"),
        };
    }
    if methods.is_empty() {
        return Verdict::Rejected {
            found: format!("a *{elem}, which has no methods"),
        };
    }
    let mut method_sets = accepted
        .iter()
        .filter_map(|name| known.methods(name))
        .peekable();
    if method_sets.peek().is_none() {
        return Verdict::Undescribed {
            elem: elem.clone(),
            interface: accepted
                .first()
                .map_or("api.Source", |a| short(a))
                .to_string(),
        };
    }
    let mut first_missing = None;
    for required in method_sets {
        match missing_method(&required, methods) {
            None => return Verdict::Accepted,
            Some(missing) => {
                first_missing.get_or_insert(missing);
            }
        }
    }
    let missing = first_missing.unwrap_or_default();
    Verdict::Rejected {
        found: format!("a *{elem}, which {missing}"),
    }
}

/// `github.com/…/api.Source` → `api.Source`.
fn short(full: &str) -> &str {
    full.rsplit('/').next().unwrap_or(full)
}

/// S002: the assertion fails.
fn rejected(entry: &str, lookup: &Lookup, found: &str) -> Diagnostic {
    let interface = lookup.interfaces.first().copied().unwrap_or("Source");
    let symbol = &lookup.symbol;
    Diagnostic::new(
        Code::S002,
        format!("exported symbol {symbol} is not type of api.{interface}: it is {found}"),
    )
    .entry(entry)
    .help(format!(
        "export a constructor `func {symbol}() api.{interface} {{ return &yourType{{}} }}`, \
         or a variable of the concrete type (`var {symbol} yourType`) whose pointer implements api.{interface}"
    ))
}

/// S002 as a note: the type could not be read.
fn unknown(entry: &str, symbol: Option<&str>, reason: &str) -> Diagnostic {
    let message = match symbol {
        Some(symbol) => format!("the Go type of {symbol} could not be checked: {reason}"),
        None => format!("the Go types of the exports could not be read: {reason}"),
    };
    Diagnostic::new(Code::S002, message)
        .severity(Severity::Info)
        .entry(entry)
}

/// S002 as a note: the interface's methods are not known.
fn undescribed(entry: &str, symbol: &str, elem: &TypeName, interface: &str) -> Diagnostic {
    let local = elem.name.rsplit('.').next().unwrap_or(&elem.name);
    Diagnostic::new(
        Code::S002,
        format!(
            "the Go type of {symbol} could not be checked: it is a *{elem}, and the library does not describe {interface}'s methods (it never converts a value to {interface}), so whether *{elem} implements it is unknown"
        ),
    )
    .severity(Severity::Info)
    .entry(entry)
    .help(format!(
        "let the Go compiler check it: add `var _ {interface} = (*{local})(nil)` to the plugin's source"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::buildinfo::Module;
    use crate::inspect::gotypes::ExportTypes;

    fn named(name: &str, pkg: Option<&str>, kind: TypeKind) -> TypeName {
        TypeName {
            name: name.into(),
            pkg_path: pkg.map(Into::into),
            kind,
        }
    }

    fn api(name: &str) -> TypeName {
        named(&format!("api.{name}"), Some(API_V2), TypeKind::Interface)
    }

    fn method(name: &str, signature: &str) -> Method {
        Method {
            name: name.into(),
            signature: Some(signature.into()),
        }
    }

    fn source_methods() -> Vec<Method> {
        vec![
            method("Close", "func(api.StreamContext) error"),
            method("Connect", "func(api.StreamContext, func(string)) error"),
        ]
    }

    fn types_with_source() -> ExportTypes {
        let mut types = ExportTypes::default();
        types
            .interfaces
            .insert(format!("{API_V2}.Source"), source_methods());
        types
    }

    fn func(params: Vec<TypeName>, results: Vec<TypeName>) -> ExportType {
        ExportType::Func {
            params,
            results,
            variadic: false,
        }
    }

    /// The verdict on `export` as the source's main export, knowing only
    /// the interfaces in `types` (no API module version to fall back on).
    fn judged(export: &ExportType, types: &ExportTypes) -> Verdict {
        let known = KnownInterfaces {
            types,
            module: None,
            api: Some(API_V2),
        };
        judge(export, &source(), &known)
    }

    fn source() -> Vec<String> {
        vec![format!("{API_V2}.Source")]
    }

    fn found(verdict: Verdict) -> String {
        match verdict {
            Verdict::Rejected { found } => found,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn constructor_of_the_api_interface_passes() {
        let export = func(vec![], vec![api("Source")]);
        assert_eq!(judged(&export, &ExportTypes::default()), Verdict::Accepted);
    }

    #[test]
    fn constructor_of_the_other_api_major_fails() {
        let mut result = api("Source");
        result.pkg_path = Some(API_V1.into());
        let export = func(vec![], vec![result]);
        let found = found(judged(&export, &ExportTypes::default()));
        assert_eq!(
            found,
            format!(
                "a func() api.Source (its api.Source is {API_V1}.Source, from another eKuiper API module)"
            )
        );
    }

    #[test]
    fn functions_of_other_shapes_fail() {
        let int = named("int", None, TypeKind::Basic(2));
        let error = named("error", None, TypeKind::Interface);
        let concrete = named("*main.pulse", None, TypeKind::Pointer);
        let cases = [
            (
                func(vec![int.clone()], vec![api("Source")]),
                "a func(int) api.Source (a function that takes parameters)",
            ),
            (
                func(vec![], vec![api("Source"), error]),
                "a func() (api.Source, error) (a function that does not return exactly one value)",
            ),
            (
                func(vec![], vec![concrete]),
                "a func() *main.pulse (a function returning a concrete type)",
            ),
            (
                func(vec![], vec![api("LookupSource")]),
                "a func() api.LookupSource (a function returning another interface)",
            ),
        ];
        for (export, expected) in cases {
            assert_eq!(found(judged(&export, &ExportTypes::default())), expected);
        }
    }

    #[test]
    fn variadic_parameters_print_as_go_does() {
        let slice = named("[]int", None, TypeKind::Slice);
        assert_eq!(
            func_string(&[slice], &[api("Sink")], true),
            "func(...int) api.Sink"
        );
    }

    #[test]
    fn variable_of_interface_type_fails() {
        let export = ExportType::Var {
            elem: api("Source"),
            pointer_methods: vec![],
        };
        let found = found(judged(&export, &types_with_source()));
        assert_eq!(found, "a *api.Source (a variable of interface type)");
    }

    #[test]
    fn variable_whose_pointer_implements_the_interface_passes() {
        let mut methods = source_methods();
        methods.push(method("Extra", "func()"));
        let export = ExportType::Var {
            elem: named("main.pulse", Some("main"), TypeKind::Struct),
            pointer_methods: methods,
        };
        assert_eq!(judged(&export, &types_with_source()), Verdict::Accepted);
    }

    #[test]
    fn variable_missing_a_method_or_with_another_signature_fails() {
        let elem = named("main.pulse", Some("main"), TypeKind::Struct);
        let lacking = ExportType::Var {
            elem: elem.clone(),
            pointer_methods: vec![method("Close", "func(api.StreamContext) error")],
        };
        assert_eq!(
            found(judged(&lacking, &types_with_source())),
            "a *main.pulse, which lacks method Connect"
        );
        let mut methods = source_methods();
        methods[0] = method("Close", "func() error");
        let differing = ExportType::Var {
            elem,
            pointer_methods: methods,
        };
        assert_eq!(
            found(judged(&differing, &types_with_source())),
            "a *main.pulse, which has method Close of type func() error, not func(api.StreamContext) error"
        );
    }

    #[test]
    fn variable_without_methods_fails_even_without_the_interface() {
        let export = ExportType::Var {
            elem: named("int", None, TypeKind::Basic(2)),
            pointer_methods: vec![],
        };
        assert_eq!(
            found(judged(&export, &ExportTypes::default())),
            "a *int, which has no methods"
        );
    }

    /// A function instance judged with no interface in the type data, for
    /// a plugin built against the contract at `version`.
    fn judged_by_version(exec: &str, version: &str) -> Verdict {
        let export = ExportType::Var {
            elem: named("main.clamp", Some("main"), TypeKind::Struct),
            pointer_methods: vec![
                method("Exec", exec),
                method("IsAggregate", "func() bool"),
                method("Validate", "func([]interface {}) error"),
            ],
        };
        let module = Module {
            path: CONTRACT_V2.into(),
            version: version.into(),
            sum: None,
            replace: None,
        };
        let types = ExportTypes::default();
        let known = KnownInterfaces {
            types: &types,
            module: Some(&module),
            api: Some(API_V2),
        };
        judge(&export, &[format!("{API_V2}.Function")], &known)
    }

    #[test]
    fn without_the_interface_in_the_library_the_contract_version_decides() {
        let v2 = "func(api.FunctionContext, []interface {}) (interface {}, bool)";
        let v1 = "func([]interface {}, api.FunctionContext) (interface {}, bool)";
        assert_eq!(judged_by_version(v2, "v2.3.1"), Verdict::Accepted);
        assert_eq!(
            found(judged_by_version(v1, "v2.3.1")),
            format!("a *main.clamp, which has method Exec of type {v1}, not {v2}")
        );
        // The 2.0 alphas up to alpha.3 still took the arguments first.
        assert_eq!(judged_by_version(v1, "v2.0.0-alpha.3"), Verdict::Accepted);
        assert!(matches!(
            judged_by_version(v2, "v2.9.0"),
            Verdict::Undescribed { .. }
        ));
    }

    #[test]
    fn variable_is_unchecked_when_the_interface_is_not_described() {
        let export = ExportType::Var {
            elem: named("main.pulse", Some("main"), TypeKind::Struct),
            pointer_methods: source_methods(),
        };
        assert_eq!(
            judged(&export, &ExportTypes::default()),
            Verdict::Undescribed {
                elem: named("main.pulse", Some("main"), TypeKind::Struct),
                interface: "api.Source".into(),
            }
        );
    }

    #[test]
    fn source_lookups_follow_the_api_major() {
        let v2 = lookups("pulse", Kind::Source, &[], Some(API_V2));
        assert_eq!(v2[0].symbol, "PulseLookup");
        assert_eq!(v2[0].interfaces, ["Source"]);
        assert!(v2[0].optional);
        assert_eq!(v2[1].symbol, "Pulse");
        let v1 = lookups("pulse", Kind::Source, &[], Some(API_V1));
        assert_eq!(v1[0].interfaces, ["LookupSource"]);
        assert_eq!(
            accepted_names(&v1[0], Some(API_V1)),
            [format!("{API_V1}.LookupSource")]
        );
    }

    #[test]
    fn function_plugins_look_up_each_declared_function() {
        let functions = ["echo".to_string(), "countPlus".to_string()];
        let symbols: Vec<String> = lookups("misc", Kind::Function, &functions, None)
            .into_iter()
            .map(|l| l.symbol)
            .collect();
        assert_eq!(symbols, ["Echo", "CountPlus"]);
        assert_eq!(lookups("misc", Kind::Function, &[], None)[0].symbol, "Misc");
    }
}
