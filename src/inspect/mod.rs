//! Stage 2 — inspect: turn a [`Package`]'s bytes into facts: who the plugin
//! is, the library's ELF and Go facts, the parsed descriptor and config.
//! No judgement here.

pub mod buildinfo;
pub mod config;
pub mod descriptor;
pub mod elf;
pub mod format;
pub mod gomod;
pub mod gotypes;
pub mod identity;
pub mod library;
pub mod varint;

use std::cell::OnceCell;

use crate::read::{Container, Entry, Package};
use crate::span::Span;

pub use self::identity::{Identity, Kind, Origin};
pub use self::library::{GoPlugin, NotElf};

/// A text entry that failed to parse: the parser's message and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Option<Span>,
}

/// A parsed text entry (descriptor or config), with its text for spans.
#[derive(Debug)]
pub struct TextFile<'p, T> {
    pub entry: &'p Entry,
    /// The entry's text; `None` when its data was not read or is not UTF-8.
    pub text: Option<&'p str>,
    pub parsed: Result<T, ParseError>,
}

/// The library chosen for inspection and what it turned out to be.
#[derive(Debug)]
pub struct Library<'p> {
    pub entry: &'p Entry,
    /// The version from the `@…` suffix with a leading `v` dropped.
    pub version: Option<String>,
    /// `None` when the entry's data could not be read (an archive rule says why).
    pub plugin: Option<Result<GoPlugin, NotElf>>,
    /// The parsed ELF image, kept for what is decoded only when a rule
    /// asks ([`Facts::export_types`]).
    image: Option<elf::Image<'p>>,
    /// The Go types of the exports, decoded from the runtime's type data on
    /// first use; `None` inside when the library has no Go build info.
    export_types: OnceCell<Option<Result<gotypes::ExportTypes, String>>>,
}

impl Library<'_> {
    fn decode_export_types(&self) -> Option<Result<gotypes::ExportTypes, String>> {
        let image = self.image.as_ref()?;
        let plugin = self.plugin.as_ref()?.as_ref().ok()?;
        let build_info = plugin.build_info.as_ref()?;
        Some(gotypes::decode(image, &build_info.go_version))
    }
}

/// Everything the rules read about one package.
#[derive(Debug)]
pub struct Facts<'p> {
    pub package: &'p Package,
    pub identity: Identity,
    /// Root entries matching the installer's library pattern for the name.
    pub libraries: Vec<&'p Entry>,
    pub library: Option<Library<'p>>,
    pub descriptor: Option<TextFile<'p, descriptor::Descriptor>>,
    pub config: Option<TextFile<'p, config::Config>>,
    /// A project's `go.mod` (project mode only).
    pub go_mod: Option<TextFile<'p, gomod::GoMod>>,
    /// Set when the package is a portable or WASM plugin, not a native one.
    pub other_format: Option<format::OtherFormat>,
}

impl Facts<'_> {
    /// The library entry's name and its Go facts, when it is a readable
    /// ELF file.
    pub fn library_facts(&self) -> Option<(&str, &GoPlugin)> {
        let library = self.library.as_ref()?;
        let plugin = library.plugin.as_ref()?.as_ref().ok()?;
        Some((library.entry.name.as_str(), plugin))
    }

    /// Like [`Facts::library_facts`], but only for a library that really is
    /// a Go plugin: a shared object built with `-buildmode=plugin`.
    pub fn go_plugin(&self) -> Option<(&str, &GoPlugin)> {
        let (entry, plugin) = self.library_facts()?;
        let is_shared = plugin.header.elf_type == library::ElfType::SharedObject;
        let is_plugin = plugin.build_mode() == library::BuildMode::Plugin;
        (is_plugin && is_shared).then_some((entry, plugin))
    }

    /// The Go types of the exports, or why they could not be read; `None`
    /// when there is no Go library to decode. Decoded (relocations and
    /// all) when a rule first asks, then kept.
    pub fn export_types(&self) -> Option<Result<&gotypes::ExportTypes, &str>> {
        let library = self.library.as_ref()?;
        let decoded = library
            .export_types
            .get_or_init(|| library.decode_export_types());
        Some(decoded.as_ref()?.as_ref().map_err(String::as_str))
    }

    /// The functions a function plugin's descriptor declares, with where;
    /// each `f` is looked up as `UcFirst(f)`.
    pub fn declared_functions(&self) -> Vec<(&str, Span)> {
        self.descriptor
            .as_ref()
            .and_then(|descriptor| descriptor.parsed.as_ref().ok())
            .map(|descriptor| descriptor.function_names())
            .unwrap_or_default()
    }
}

/// What the user said on the command line about the plugin.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub name: Option<String>,
    pub kind: Option<Kind>,
}

/// Inspects a package: resolves the identity, picks and decodes the library,
/// parses the descriptor and config.
pub fn inspect<'p>(package: &'p Package, declared: &Declared) -> Facts<'p> {
    let identity = identity::resolve(package, declared);
    let libraries = match &identity.name {
        Some(name) => identity::matching_libraries(package, name),
        None => Vec::new(),
    };
    let library = libraries.first().map(|entry| {
        // The library is parsed once, for the ELF facts and the Go types.
        let image = entry.bytes().map(elf::Image::parse);
        let plugin = image.as_ref().map(|image| match image {
            Ok(image) => elf::facts(image),
            Err(not_elf) => Err(not_elf.clone()),
        });
        Library {
            entry,
            version: identity::library_version(&entry.name),
            plugin,
            image: image.and_then(Result::ok),
            export_types: OnceCell::new(),
        }
    });
    let file = |suffix: &str| {
        let name = identity.name.as_deref()?;
        package
            .entries
            .iter()
            .find(|entry| entry.name == format!("{name}{suffix}"))
    };
    let descriptor = file(".json").map(|entry| parse_text(entry, descriptor::parse));
    let config = file(".yaml")
        .or_else(|| file(".yml").filter(|_| package.container == Container::ProjectFile))
        .map(|entry| parse_text(entry, config::parse));
    let go_mod = package
        .entries
        .iter()
        .find(|entry| package.container == Container::ProjectFile && entry.name == "go.mod")
        .map(|entry| parse_text(entry, gomod::parse));
    let parsed_descriptor = descriptor.as_ref().and_then(|d| d.parsed.as_ref().ok());
    let identity = identity::refine_kind(
        identity,
        library.as_ref(),
        parsed_descriptor,
        config.as_ref().map(|c| c.entry),
    );
    Facts {
        package,
        identity,
        libraries,
        library,
        descriptor,
        config,
        go_mod,
        other_format: format::other_format(package),
    }
}

fn parse_text<'p, T>(
    entry: &'p Entry,
    parse: fn(&str) -> Result<T, ParseError>,
) -> TextFile<'p, T> {
    let text = entry.bytes().map(std::str::from_utf8);
    let (text, parsed) = match text {
        Some(Ok(text)) => (Some(text), parse(text)),
        Some(Err(error)) => (
            None,
            Err(ParseError {
                message: format!("not UTF-8 text: {error}"),
                span: None,
            }),
        ),
        None => (
            None,
            Err(ParseError {
                message: "the entry's data could not be read".into(),
                span: None,
            }),
        ),
    };
    TextFile {
        entry,
        text,
        parsed,
    }
}
