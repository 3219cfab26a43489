use super::Context;
use crate::diagnostic::Diagnostic;

pub fn check_elf(_ctx: &Context, _out: &mut Vec<Diagnostic>) {}
pub fn check_build(_ctx: &Context, _out: &mut Vec<Diagnostic>) {}
