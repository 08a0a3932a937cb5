//! WIT ↔ component binaries: encode a resolved WIT package or world to its binary form, decode
//! one back into a [`weft_wit::Resolve`], embed a world into a core module as a
//! `component-type` custom section, and wrap a core module into a component.
#![deny(missing_docs)]

pub use weft_binary::{Error, Result};

mod decode;
pub use decode::{decode, decode_metadata, push_binary, push_path, Decoded, Metadata};

pub mod abi;
mod exit;
pub use exit::{preview1_exit_with_code, Rerouted, EXIT_ADAPTER};
mod new;
pub use new::{new_component, NewOptions};
mod encode;
pub use encode::{
    component_type_section, component_type_section_name, embed, encode_package, encode_world,
};

/// The string encoding a core module's bindings use for the strings they pass across the
/// component boundary: the `string-encoding` canonical option, also recorded in the
/// `component-type` custom section. The same type as in the binary model.
pub use weft_binary::StringEncoding;
