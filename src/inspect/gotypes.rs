//! The Go types of a plugin's exports, read from the runtime type data that
//! every Go plugin keeps (even built with `-ldflags=-s -w`): the module
//! data's plugin table `ptab` lists each export's name and type, exactly what
//! `plugin.Lookup` hands to eKuiper. No judgement here.

mod moduledata;
mod rtype;

use std::collections::BTreeMap;
use std::fmt;

use self::rtype::Types;
use goblin::elf::header::{EM_AARCH64, EM_X86_64};

use super::elf::Image;

/// Cap on exports and interfaces decoded, far above any real plugin.
const MAX_ENTRIES: u64 = 1 << 16;

/// Go type kinds, as `reflect.Kind` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Func,
    Interface,
    Pointer,
    Struct,
    Slice,
    Array,
    Chan,
    Map,
    /// Booleans, numbers, strings and `unsafe.Pointer` (the abi kind).
    Basic(u8),
    Invalid(u8),
}

impl TypeKind {
    fn from_abi(kind: u8) -> TypeKind {
        match kind {
            1..=16 | 24 | 26 => TypeKind::Basic(kind),
            17 => TypeKind::Array,
            18 => TypeKind::Chan,
            19 => TypeKind::Func,
            20 => TypeKind::Interface,
            21 => TypeKind::Map,
            22 => TypeKind::Pointer,
            23 => TypeKind::Slice,
            25 => TypeKind::Struct,
            other => TypeKind::Invalid(other),
        }
    }
}

impl fmt::Display for TypeKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        const BASIC: [&str; 27] = [
            "invalid",
            "bool",
            "int",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "uintptr",
            "float32",
            "float64",
            "complex64",
            "complex128",
            "array",
            "chan",
            "func",
            "interface",
            "map",
            "ptr",
            "slice",
            "string",
            "struct",
            "unsafe.Pointer",
        ];
        let name = match self {
            TypeKind::Func => "func",
            TypeKind::Interface => "interface",
            TypeKind::Pointer => "ptr",
            TypeKind::Struct => "struct",
            TypeKind::Slice => "slice",
            TypeKind::Array => "array",
            TypeKind::Chan => "chan",
            TypeKind::Map => "map",
            TypeKind::Basic(kind) | TypeKind::Invalid(kind) => {
                BASIC.get(usize::from(*kind)).copied().unwrap_or("invalid")
            }
        };
        f.write_str(name)
    }
}

/// A Go type as the runtime names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    /// The type's string, e.g. `api.Source`, `*main.pulse`, `func() api.Source`.
    pub name: String,
    /// The import path of a named type's package.
    pub pkg_path: Option<String>,
    pub kind: TypeKind,
}

impl TypeName {
    /// The package-qualified name of a named type
    /// (`github.com/lf-edge/ekuiper/contract/v2/api.Source`); for other
    /// types their string.
    pub fn full_name(&self) -> String {
        match (&self.pkg_path, self.name.split_once('.')) {
            (Some(path), Some((_, rest))) => format!("{path}.{rest}"),
            _ => self.name.clone(),
        }
    }
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A method of a method set or interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub name: String,
    /// The method's type without receiver (`func(api.StreamContext) error`);
    /// `None` when the linker dropped it (an unreachable method).
    pub signature: Option<String>,
}

/// What `plugin.Lookup` returns for one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportType {
    /// A function: `Lookup` returns the function value itself.
    Func {
        params: Vec<TypeName>,
        results: Vec<TypeName>,
        variadic: bool,
    },
    /// A variable `var X T`: `Lookup` returns a `*T`.
    Var {
        elem: TypeName,
        /// The method set of `*T`.
        pointer_methods: Vec<Method>,
    },
    /// The type could not be decoded; the reason says why.
    Unknown(String),
}

/// A concrete type the plugin converts to an interface: one itab. A
/// constructor `func Pulse() api.Source { return &pulse{} }` leaves one for
/// `*pulse` and `api.Source`, which is how the type behind a constructor
/// can be known without running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The interface's full name.
    pub interface: String,
    pub concrete: TypeName,
    /// The concrete type's method set.
    pub methods: Vec<Method>,
}

/// The exports of a plugin with their types, and the interfaces the plugin's
/// type data describes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportTypes {
    pub plugin_path: String,
    pub exports: BTreeMap<String, ExportType>,
    /// Full interface name → the methods it requires.
    pub interfaces: BTreeMap<String, Vec<Method>>,
    /// Every itab's concrete type, by interface.
    pub conversions: Vec<Conversion>,
    /// The fingerprinted packages in the order `plugin.Open` checks them.
    pub link_order: Vec<String>,
}

impl ExportTypes {
    pub fn get(&self, name: &str) -> Option<&ExportType> {
        self.exports.get(name)
    }

    pub fn interface_methods(&self, full_name: &str) -> Option<&[Method]> {
        self.interfaces.get(full_name).map(Vec::as_slice)
    }

    /// Whether `symbol` is exported as a variable of interface type
    /// (`Lookup` then yields a pointer to an interface, which implements
    /// nothing).
    pub fn is_interface_var(&self, symbol: &str) -> bool {
        matches!(self.get(symbol), Some(ExportType::Var { elem, .. }) if elem.kind == TypeKind::Interface)
    }

    /// The concrete types the plugin converts to `interface` (a full name).
    pub fn converted_to<'s, 'i>(
        &'s self,
        interface: &'i str,
    ) -> impl Iterator<Item = &'s Conversion> + use<'s, 'i> {
        self.conversions
            .iter()
            .filter(move |conversion| conversion.interface == interface)
    }
}

/// Whether two Go releases lay out `runtime.moduledata` alike; `None` when
/// either is unknown. A host finds no module data in a plugin of another
/// layout and aborts ("fatal error: runtime: no plugin module data").
pub fn same_module_layout(a: &str, b: &str) -> Option<bool> {
    Some(moduledata::layout(a)? == moduledata::layout(b)?)
}

/// Decodes the export table of a Go plugin built by `go_version`
/// (`go1.25.4`, from its build info).
pub fn export_types(bytes: &[u8], go_version: &str) -> Result<ExportTypes, String> {
    let image =
        Image::parse(bytes).map_err(|error| format!("not a readable ELF file: {}", error.0))?;
    decode(&image, go_version)
}

/// Decodes the export table of the parsed library `image`, built by
/// `go_version` (`go1.25.4`, from its build info).
pub fn decode(image: &Image, go_version: &str) -> Result<ExportTypes, String> {
    let Some(layout) = moduledata::layout(go_version) else {
        return Err(format!(
            "the type layout of {go_version} is not known (Go 1.21 to 1.27 are decoded)"
        ));
    };
    if !image.is_64_little_endian() {
        return Err("only 64-bit little-endian libraries are decoded".into());
    }
    if !matches!(image.machine(), EM_X86_64 | EM_AARCH64) {
        return Err(format!(
            "machine {} is not decoded (amd64 and arm64 are)",
            image.machine()
        ));
    }
    let module = moduledata::find(image, layout)?;
    let types = Types {
        image,
        types: module.types,
        etypes: module.etypes,
    };
    let mut result = ExportTypes {
        plugin_path: module.plugin_path.clone(),
        link_order: module.link_order.clone(),
        ..ExportTypes::default()
    };
    if module.ptab.len > MAX_ENTRIES {
        return Err("the plugin's tables are implausibly large".into());
    }
    for index in 0..module.ptab.len {
        let entry = module.ptab.address.checked_add(index * 8);
        let name_off = entry.and_then(|at| image.u32(at));
        let typ_off = entry.and_then(|at| image.u32(at.checked_add(4)?));
        let (Some(name_off), Some(typ_off)) = (name_off, typ_off) else {
            return Err(format!("export table entry {index} is outside the file"));
        };
        let Some(name) = types.name(name_off as i32) else {
            return Err(format!("export table entry {index} has an unreadable name"));
        };
        let export = export_type(&types, typ_off as i32, &mut result.interfaces);
        result.exports.insert(name, export);
    }
    collect_itabs(&types, module.itabs, &mut result)?;
    Ok(result)
}

fn export_type(
    types: &Types,
    typ_off: i32,
    interfaces: &mut BTreeMap<String, Vec<Method>>,
) -> ExportType {
    let Some(address) = types.resolve(typ_off) else {
        return ExportType::Unknown("its type offset points outside the type data".into());
    };
    let decoded = match types.kind(address) {
        Some(TypeKind::Func) => func_export(types, address, interfaces),
        Some(TypeKind::Pointer) => var_export(types, address),
        Some(kind) => Err(format!("its table type is a {kind}, not a func or pointer")),
        None => Err("its type descriptor is unreadable".into()),
    };
    decoded.unwrap_or_else(ExportType::Unknown)
}

fn func_export(
    types: &Types,
    address: u64,
    interfaces: &mut BTreeMap<String, Vec<Method>>,
) -> Result<ExportType, String> {
    let (params, results, variadic) = types
        .func(address)
        .ok_or("its function type is unreadable")?;
    let names = |addresses: &[u64]| -> Result<Vec<TypeName>, String> {
        addresses
            .iter()
            .map(|&a| {
                types
                    .type_name(a)
                    .ok_or_else(|| "a parameter type is unreadable".to_string())
            })
            .collect()
    };
    for &result in &results {
        record_interface(types, result, interfaces);
    }
    Ok(ExportType::Func {
        params: names(&params)?,
        results: names(&results)?,
        variadic,
    })
}

fn var_export(types: &Types, address: u64) -> Result<ExportType, String> {
    let elem = types
        .elem(address)
        .and_then(|elem| types.type_name(elem))
        .ok_or("the variable's type is unreadable")?;
    let pointer_methods = types
        .methods(address)
        .ok_or("the method set of the variable's pointer is unreadable")?;
    Ok(ExportType::Var {
        elem,
        pointer_methods,
    })
}

/// Adds a named interface type and its methods to `interfaces`; returns
/// the interface's method count (named or not), when it is one.
fn record_interface(
    types: &Types,
    address: u64,
    interfaces: &mut BTreeMap<String, Vec<Method>>,
) -> Option<u64> {
    let methods = types.interface_methods(address)?;
    let count = methods.len() as u64;
    let named = types
        .type_name(address)
        .filter(|name| name.kind == TypeKind::Interface && name.pkg_path.is_some());
    if let Some(name) = named {
        interfaces.insert(name.full_name(), methods);
    }
    Some(count)
}

/// Every interface some type of the plugin was converted to (the first
/// word of each itab, `runtime.itab.inter`) and the concrete type (the
/// second, `_type`).
fn collect_itabs(
    types: &Types,
    itabs: moduledata::Itabs,
    result: &mut ExportTypes,
) -> Result<(), String> {
    let too_many = || Err("the plugin's tables are implausibly large".to_string());
    match itabs {
        moduledata::Itabs::Links(links) => {
            if links.len > MAX_ENTRIES {
                return too_many();
            }
            for index in 0..links.len {
                let itab = links
                    .address
                    .checked_add(index * 8)
                    .and_then(|at| types.image.word(at));
                if let Some(itab) = itab {
                    record_itab(types, itab, result);
                }
            }
        }
        moduledata::Itabs::Region { address, size } => {
            let end = address.saturating_add(size);
            let mut at = address;
            for _ in 0..MAX_ENTRIES {
                if at >= end {
                    return Ok(());
                }
                let methods = record_itab(types, at, result);
                // runtime.(*itab).Size: inter, _type, hash (padded) and
                // fun[0]; fun has one word per method unless fun[0] is 0.
                let fun0 = at.checked_add(24).and_then(|f| types.image.word(f));
                let extra = match (fun0, methods) {
                    (Some(0), _) => 0,
                    (Some(_), Some(count)) => count.saturating_sub(1),
                    // Without the interface's method count the next itab
                    // cannot be found.
                    _ => return Ok(()),
                };
                at = at
                    .saturating_add(32)
                    .saturating_add(extra.saturating_mul(8));
            }
            return too_many();
        }
    }
    Ok(())
}

/// Records the itab at `itab`: its interface (returning its method count)
/// and, for a named interface, the concrete type converted to it.
fn record_itab(types: &Types, itab: u64, result: &mut ExportTypes) -> Option<u64> {
    let inter = types.image.word(itab)?;
    let count = record_interface(types, inter, &mut result.interfaces);
    let interface = types
        .type_name(inter)
        .filter(|name| name.pkg_path.is_some())
        .map(|name| name.full_name());
    let concrete = itab.checked_add(8).and_then(|at| types.image.word(at));
    if let (Some(interface), Some(concrete)) = (interface, concrete) {
        let methods = types.methods(concrete).unwrap_or_default();
        if let Some(concrete) = types.type_name(concrete) {
            result.conversions.push(Conversion {
                interface,
                concrete,
                methods,
            });
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_layouts_group_the_releases_the_loader_tells_apart() {
        // 1.24 and 1.25 fail politely at open; 1.25, 1.26 and 1.27 crash.
        assert_eq!(same_module_layout("go1.24.11", "go1.25.4"), Some(true));
        assert_eq!(same_module_layout("go1.26.6", "go1.25.4"), Some(false));
        assert_eq!(same_module_layout("go1.27.3", "go1.26.6"), Some(false));
        assert_eq!(same_module_layout("go1.28.0", "go1.25.4"), None);
    }
}
