use super::Context;
use crate::diagnostic::Diagnostic;

pub fn check(_ctx: &Context, _out: &mut Vec<Diagnostic>) {}
