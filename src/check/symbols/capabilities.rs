//! S006–S008: what a rule needs from the plugin after the type switch
//! passed. eKuiper 2.x installs a source that cannot stream, a lookup
//! export without `Lookup` or a sink without a collector, and then every
//! rule using it fails (`pkg/modules/io.go`, `internal/binder/io/binder.go`,
//! `internal/topo/planner/planner_sink.go` at v2.4.0). 1.x has none of
//! these checks, and its API module none of these interfaces.
//!
//! The type behind an export: a variable's own type, or for a constructor
//! the concrete types the plugin converts to the interface it returns (the
//! itabs). A rule fires only when every candidate lacks what is needed.

use super::interfaces::{KnownInterfaces, missing_method};
use crate::check::Context;
use crate::diagnostic::Diagnostic;
use crate::inspect::Kind;
use crate::inspect::buildinfo::{BuildInfo, CONTRACT_V2, EKUIPER_V1};
use crate::inspect::gotypes::{ExportType, ExportTypes, Method, TypeKind, TypeName};
use crate::inspect::identity::uc_first;
use crate::rules::Code;

const API_V2: &str = "github.com/lf-edge/ekuiper/contract/v2/api";
/// `modules.IsStreamSource`.
const STREAM: [&str; 4] = [
    "TupleSource",
    "BytesSource",
    "PullTupleSource",
    "PullBytesSource",
];
/// `modules.IsLookupSource`.
const LOOKUP: [&str; 2] = ["LookupSource", "LookupBytesSource"];
/// The collector switch of `SinkToComp`.
const COLLECTOR: [&str; 2] = ["BytesCollector", "TupleCollector"];

/// The types an export can hand eKuiper.
struct Candidates<'a> {
    /// How the export gets them, completing "`Pulse` …".
    how: String,
    types: Vec<(&'a TypeName, &'a [Method])>,
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((entry, plugin)) = ctx.facts.go_plugin() else {
        return;
    };
    let (Some(name), Some(kind)) = (ctx.facts.identity.name.as_deref(), ctx.facts.identity.kind)
    else {
        return;
    };
    let module = plugin.build_info.as_ref().and_then(BuildInfo::contract);
    let target_is_1x = ctx
        .target
        .and_then(|target| target.api.as_ref())
        .is_some_and(|(module, _)| module == EKUIPER_V1);
    // A sink registered as a source is S004's finding when its type switch
    // fails; an instance passes it, and is judged here.
    if target_is_1x
        || module.is_none_or(|m| m.path != CONTRACT_V2)
        || super::kinds::mismatched(ctx, plugin, kind)
    {
        return;
    }
    let Some(Ok(types)) = ctx.facts.export_types() else {
        return;
    };
    let known = KnownInterfaces {
        types,
        module,
        api: Some(API_V2),
    };
    let symbol = uc_first(name);
    match kind {
        Kind::Source => {
            if let Some(found) = lacking(types, &known, &symbol, "Source", &STREAM) {
                out.push(not_stream_source(entry, name, &symbol, &found, &known));
            }
            let lookup = format!("{symbol}Lookup");
            if let Some(found) = lacking(types, &known, &lookup, "Source", &LOOKUP) {
                out.push(not_lookup_source(entry, name, &lookup, &found));
            }
        }
        Kind::Sink => {
            if let Some(found) = lacking(types, &known, &symbol, "Sink", &COLLECTOR) {
                out.push(no_collector(entry, name, &symbol, &found));
            }
        }
        Kind::Function => {}
    }
}

/// The candidates of `symbol` when none implements any of `needed`; `None`
/// when one does, or when that cannot be told.
fn lacking<'a>(
    types: &'a ExportTypes,
    known: &KnownInterfaces,
    symbol: &str,
    returned: &str,
    needed: &[&str],
) -> Option<Candidates<'a>> {
    let candidates = candidates(types, types.get(symbol)?, returned)?;
    let required: Vec<Vec<Method>> = needed
        .iter()
        .map(|name| {
            known
                .methods(&format!("{API_V2}.{name}"))
                .map(|m| m.into_owned())
        })
        .collect::<Option<_>>()?;
    let any_implements = candidates.types.iter().any(|(_, methods)| {
        required
            .iter()
            .any(|interface| missing_method(interface, methods).is_none())
    });
    (!any_implements).then_some(candidates)
}

/// What an export hands eKuiper: `*T` for `var X T`; for a constructor
/// `func() api.<returned>`, the types the plugin converts to it.
fn candidates<'a>(
    types: &'a ExportTypes,
    export: &'a ExportType,
    returned: &str,
) -> Option<Candidates<'a>> {
    match export {
        ExportType::Var {
            elem,
            pointer_methods,
        } if elem.kind != TypeKind::Interface => Some(Candidates {
            how: format!("is a variable of type {elem}, so eKuiper gets a *{elem}"),
            types: vec![(elem, pointer_methods.as_slice())],
        }),
        ExportType::Func {
            params, results, ..
        } if params.is_empty() => {
            let interface = format!("{API_V2}.{returned}");
            let [result] = results.as_slice() else {
                return None;
            };
            if result.full_name() != interface {
                // Not a constructor the type switch accepts: S002's finding.
                return None;
            }
            let converted: Vec<(&TypeName, &[Method])> = types
                .converted_to(&interface)
                .map(|c| (&c.concrete, c.methods.as_slice()))
                .collect();
            if converted.is_empty() {
                return None;
            }
            let names: Vec<&str> = converted.iter().map(|(t, _)| t.name.as_str()).collect();
            let how = match names.as_slice() {
                [one] => {
                    format!("returns a {one}, the only type the plugin converts to api.{returned}")
                }
                many => format!(
                    "returns one of {}, the types the plugin converts to api.{returned}",
                    many.join(", ")
                ),
            };
            Some(Candidates {
                how,
                types: converted,
            })
        }
        _ => None,
    }
}

/// "none of which …" or "which …", for one or several candidates.
fn which(found: &Candidates) -> &'static str {
    if found.types.len() == 1 {
        "which"
    } else {
        "none of which"
    }
}

/// Whether one of `found` is a sink (a collector): a sink registered as a
/// source.
fn is_sink(found: &Candidates, known: &KnownInterfaces) -> bool {
    COLLECTOR.iter().any(|name| {
        known
            .methods(&format!("{API_V2}.{name}"))
            .is_some_and(|required| {
                found
                    .types
                    .iter()
                    .any(|(_, methods)| missing_method(&required, methods).is_none())
            })
    })
}

/// S006.
fn not_stream_source(
    entry: &str,
    name: &str,
    symbol: &str,
    found: &Candidates,
    known: &KnownInterfaces,
) -> Diagnostic {
    let sink = is_sink(found, known);
    let implements = if sink {
        "is a sink (a collector) and implements"
    } else {
        "implements"
    };
    let which = which(found);
    let help = if sink {
        format!("register it as a sink (POST /plugins/sinks), or give {symbol} a source type")
    } else {
        "add `Subscribe(ctx api.StreamContext, ingest api.TupleIngest, ingestError api.ErrorIngest) error` (push) or `Pull(ctx api.StreamContext, trigger time.Time, ingest api.TupleIngest, ingestError api.ErrorIngest)` (pull, every `interval`), or their Bytes variants, to the source type".to_string()
    };
    Diagnostic::new(
        Code::S006,
        format!(
            "`{symbol}` {}, {which} {implements} none of api.TupleSource, api.BytesSource, api.PullTupleSource and api.PullBytesSource: the plugin installs, and every rule using it fails with \"got non stream source {name}\"",
            found.how
        ),
    )
    .entry(entry)
    .help(help)
}

/// S007.
fn not_lookup_source(entry: &str, name: &str, symbol: &str, found: &Candidates) -> Diagnostic {
    Diagnostic::new(
        Code::S007,
        format!(
            "`{symbol}` {}, {} implements neither api.LookupSource nor api.LookupBytesSource: every rule joining the lookup table {name} fails with \"got non lookup source {name}\"",
            found.how,
            which(found)
        ),
    )
    .entry(entry)
    .help(format!(
        "return a type with `Lookup(ctx api.StreamContext, fields []string, keys []string, values []any) ([]map[string]any, error)` from {symbol}, or drop {symbol} if the source serves no lookup tables"
    ))
}

/// S008.
fn no_collector(entry: &str, name: &str, symbol: &str, found: &Candidates) -> Diagnostic {
    let collect = found.types.iter().find_map(|(_, methods)| {
        methods
            .iter()
            .find(|m| m.name == "Collect")
            .and_then(|m| m.signature.as_deref())
    });
    let detail = match collect {
        Some(signature) => format!(" (its Collect is {signature})"),
        None => String::new(),
    };
    Diagnostic::new(
        Code::S008,
        format!(
            "`{symbol}` {}, {} implements neither api.BytesCollector nor api.TupleCollector{detail}: the plugin installs, and every rule sending to it fails with \"sink {name}_0 does not implement any collector\"",
            found.how,
            which(found)
        ),
    )
    .entry(entry)
    .help(
        "implement `Collect(ctx api.StreamContext, item api.RawTuple) error` (bytes), or `Collect(ctx api.StreamContext, item api.MessageTuple) error` and `CollectList(ctx api.StreamContext, items api.MessageTupleList) error` (tuples); the 1.x `Collect(ctx, data any)` is neither",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::buildinfo::Module;
    use crate::inspect::gotypes::Conversion;

    fn method(name: &str, signature: Option<&str>) -> Method {
        Method {
            name: name.into(),
            signature: signature.map(Into::into),
        }
    }

    fn pointer(name: &str) -> TypeName {
        TypeName {
            name: format!("*main.{name}"),
            pkg_path: None,
            kind: TypeKind::Pointer,
        }
    }

    fn source_methods() -> Vec<Method> {
        vec![
            method("Close", Some("func(api.StreamContext) error")),
            method(
                "Connect",
                Some("func(api.StreamContext, api.StatusChangeHandler) error"),
            ),
            method(
                "Provision",
                Some("func(api.StreamContext, map[string]interface {}) error"),
            ),
        ]
    }

    /// A plugin whose `Pulse() api.Source` constructor converts each of
    /// `types` to api.Source.
    fn constructor_of(types: Vec<(&str, Vec<Method>)>) -> ExportTypes {
        let mut exports = ExportTypes::default();
        let source = TypeName {
            name: "api.Source".into(),
            pkg_path: Some(API_V2.into()),
            kind: TypeKind::Interface,
        };
        exports.exports.insert(
            "Pulse".into(),
            ExportType::Func {
                params: vec![],
                results: vec![source],
                variadic: false,
            },
        );
        for (name, methods) in types {
            exports.conversions.push(Conversion {
                interface: format!("{API_V2}.Source"),
                concrete: pointer(name),
                methods,
            });
        }
        exports
    }

    fn not_streaming(types: &ExportTypes) -> Option<usize> {
        let module = Module {
            path: CONTRACT_V2.into(),
            version: "v2.3.1".into(),
            sum: None,
            replace: None,
        };
        let known = KnownInterfaces {
            types,
            module: Some(&module),
            api: Some(API_V2),
        };
        lacking(types, &known, "Pulse", "Source", &STREAM).map(|found| found.types.len())
    }

    #[test]
    fn a_constructor_whose_types_cannot_stream_is_reported() {
        let idle = constructor_of(vec![("idle", source_methods())]);
        assert_eq!(not_streaming(&idle), Some(1));
    }

    #[test]
    fn one_streaming_candidate_is_enough() {
        let mut pull = source_methods();
        pull.push(method(
            "Pull",
            Some("func(api.StreamContext, time.Time, api.TupleIngest, api.ErrorIngest)"),
        ));
        let types = constructor_of(vec![("idle", source_methods()), ("random", pull)]);
        assert_eq!(not_streaming(&types), None);
    }

    #[test]
    fn a_subscribe_of_another_signature_does_not_stream_and_an_unknown_one_might() {
        let mut wrong = source_methods();
        wrong.push(method("Subscribe", Some("func(api.StreamContext) error")));
        assert_eq!(
            not_streaming(&constructor_of(vec![("old", wrong)])),
            Some(1)
        );
        // The linker dropped the method's type: only its name is known.
        let mut unknown = source_methods();
        unknown.push(method("Subscribe", None));
        assert_eq!(
            not_streaming(&constructor_of(vec![("pulse", unknown)])),
            None
        );
    }

    #[test]
    fn without_a_conversion_nothing_is_claimed() {
        assert_eq!(not_streaming(&constructor_of(vec![])), None);
    }
}
