//! Composition files (`weft compose --config compose.toml`): the inputs by name, and explicit
//! wiring for the imports automatic matching cannot settle (two candidates) or would not find
//! (an export of another name).
//!
//! ```toml
//! root = "app.wasm"
//!
//! [dependencies]
//! a = "a.wasm"
//! b = { path = "b.wasm", imports = { "a:b/log" = "a" } }   # plugs one of b's own imports
//!
//! [imports]                                               # the root's imports
//! "a:b/answer" = "b"                                      # b's export that matches the name
//! "a:b/x" = { dependency = "a", export = "a:b/y" }        # a's export `a:b/y`
//! ```
//!
//! Paths are relative to the file. Every other import is matched automatically, as with
//! `--definitions`. Parsing is pure (text in, [`Config`] out); reading the files is the
//! caller's.

use crate::{Error, Mode, Options, Plug, Result};

/// A parsed composition file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The root component's path, as written.
    pub root: String,
    /// The dependencies, by name (sorted by name).
    pub dependencies: Vec<Dependency>,
    /// The explicit plugs of the root's and the dependencies' imports.
    pub plugs: Vec<ConfigPlug>,
}

/// One dependency of a composition file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// Its name in the file.
    pub name: String,
    /// Its path, as written.
    pub path: String,
}

/// One explicit plug of a composition file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigPlug {
    /// The dependency whose import this is, or `None` for the root's.
    pub importer: Option<String>,
    /// The import's name.
    pub import: String,
    /// The dependency that plugs it.
    pub dependency: String,
    /// The export that plugs it, or `None` for the one whose name matches the import's.
    pub export: Option<String>,
}

impl Config {
    /// Parses a composition file's text.
    pub fn parse(text: &str) -> Result<Config> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Error::msg(format!("invalid TOML: {e}")))?;
        let mut root = None;
        let mut dependencies = Vec::new();
        let mut plugs = Vec::new();
        for (key, value) in &table {
            match key.as_str() {
                "root" => root = Some(string(value, "root")?),
                "dependencies" => {
                    for (name, dep) in table_of(value, "dependencies")? {
                        let at = format!("dependencies.{name}");
                        let path = match dep {
                            toml::Value::String(s) => s.clone(),
                            toml::Value::Table(t) => {
                                let mut path = None;
                                for (k, v) in t {
                                    match k.as_str() {
                                        "path" => path = Some(string(v, &format!("{at}.path"))?),
                                        "imports" => plugs.extend(imports(
                                            v,
                                            Some(name),
                                            &format!("{at}.imports"),
                                        )?),
                                        _ => return Err(unknown_key(&at, k, "`path`, `imports`")),
                                    }
                                }
                                path.ok_or_else(|| {
                                    Error::msg(format!("`{at}` has no `path`"))
                                        .with_help(format!("{name} = {{ path = \"{name}.wasm\" }}"))
                                })?
                            }
                            _ => {
                                return Err(Error::msg(format!(
                                    "`{at}` must be a path or a table with `path`"
                                )))
                            }
                        };
                        dependencies.push(Dependency {
                            name: name.clone(),
                            path,
                        });
                    }
                }
                "imports" => plugs.extend(imports(value, None, "imports")?),
                _ => {
                    return Err(unknown_key(
                        "the file",
                        key,
                        "`root`, `dependencies`, `imports`",
                    ))
                }
            }
        }
        let root = root.ok_or_else(|| {
            Error::msg("the composition file names no `root`")
                .with_help("root = \"app.wasm\" names the component whose imports are plugged")
        })?;
        Ok(Config {
            root,
            dependencies,
            plugs,
        })
    }

    /// Composes what the file describes: `read` gives the bytes of a path the file names
    /// (relative to the file; the caller resolves it), and each input is called by its path
    /// as written. The outer error is `read`'s, the inner one composition's.
    pub fn compose<B: std::ops::Deref<Target = [u8]>, E>(
        &self,
        read: impl FnMut(&str) -> std::result::Result<B, E>,
    ) -> std::result::Result<Result<Vec<u8>>, E> {
        self.compose_into(read, |c| Ok(c.to_vec()))
    }

    /// [`Config::compose`], the result placed by `place` as [`crate::compose_into`] does.
    pub fn compose_into<B: std::ops::Deref<Target = [u8]>, T: std::ops::Deref<Target = [u8]>, E>(
        &self,
        mut read: impl FnMut(&str) -> std::result::Result<B, E>,
        place: impl FnOnce(&crate::Composed<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<Result<T>, E> {
        let options = match self.options() {
            Ok(o) => o,
            Err(e) => return Ok(Err(e)),
        };
        let root = read(&self.root)?;
        let mut deps = Vec::with_capacity(self.dependencies.len());
        for d in &self.dependencies {
            deps.push((d.path.clone(), read(&d.path)?));
        }
        let defs: Vec<crate::Input<'_>> = deps
            .iter()
            .map(|(label, bytes)| crate::Input {
                label: label.clone(),
                bytes,
            })
            .collect();
        let root = crate::Input {
            label: self.root.clone(),
            bytes: &root,
        };
        crate::compose_into(root, &defs, &options, place)
    }

    /// The options [`crate::compose_with`] takes for this file, with the root as input 0 and
    /// the dependencies, in [`Config::dependencies`]' order, as inputs 1, 2, ….
    pub fn options(&self) -> Result<Options> {
        let index = |name: &str, at: &str| {
            self.dependencies
                .iter()
                .position(|d| d.name == name)
                .map(|i| i + 1)
                .ok_or_else(|| {
                    let names: Vec<String> = self
                        .dependencies
                        .iter()
                        .map(|d| format!("`{}`", d.name))
                        .collect();
                    Error::msg(format!("{at}: unknown dependency `{name}`")).with_help(match names
                        .is_empty()
                    {
                        true => "the file has no `[dependencies]`".to_string(),
                        false => format!("the dependencies are {}", names.join(", ")),
                    })
                })
        };
        let mut plugs = Vec::new();
        for p in &self.plugs {
            let at = match &p.importer {
                None => format!("`imports.\"{}\"`", p.import),
                Some(d) => format!("`dependencies.{d}.imports.\"{}\"`", p.import),
            };
            let importer = match &p.importer {
                None => 0,
                Some(d) => index(d, &at)?,
            };
            plugs.push(Plug {
                importer,
                import: p.import.clone(),
                definition: index(&p.dependency, &at)?,
                export: p.export.clone(),
            });
        }
        Ok(Options {
            mode: Mode::Definitions,
            plugs,
        })
    }
}

fn imports(value: &toml::Value, importer: Option<&String>, at: &str) -> Result<Vec<ConfigPlug>> {
    let mut out = Vec::new();
    for (import, target) in table_of(value, at)? {
        let at = format!("{at}.\"{import}\"");
        let (dependency, export) = match target {
            toml::Value::String(s) => (s.clone(), None),
            toml::Value::Table(t) => {
                let (mut dependency, mut export) = (None, None);
                for (k, v) in t {
                    match k.as_str() {
                        "dependency" => dependency = Some(string(v, &format!("{at}.dependency"))?),
                        "export" => export = Some(string(v, &format!("{at}.export"))?),
                        _ => return Err(unknown_key(&at, k, "`dependency`, `export`")),
                    }
                }
                let dependency = dependency
                    .ok_or_else(|| Error::msg(format!("`{at}` names no `dependency`")))?;
                (dependency, export)
            }
            _ => {
                return Err(Error::msg(format!(
                    "`{at}` must be a dependency's name or a table with `dependency` and `export`"
                )))
            }
        };
        out.push(ConfigPlug {
            importer: importer.cloned(),
            import: import.clone(),
            dependency,
            export,
        });
    }
    Ok(out)
}

fn string(value: &toml::Value, at: &str) -> Result<String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        _ => Err(Error::msg(format!("`{at}` must be a string"))),
    }
}

fn table_of<'a>(value: &'a toml::Value, at: &str) -> Result<&'a toml::Table> {
    match value {
        toml::Value::Table(t) => Ok(t),
        _ => Err(Error::msg(format!("`{at}` must be a table"))),
    }
}

fn unknown_key(at: &str, key: &str, known: &str) -> Error {
    Error::msg(format!("unknown key `{key}` in {at}")).with_help(format!("the keys are {known}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let c = Config::parse(
            r#"
root = "r.wasm"
[dependencies]
a = "a.wasm"
b = { path = "b.wasm", imports = { "x" = "a" } }
[imports]
"a:b/x" = { dependency = "a", export = "a:b/y" }
"#,
        )
        .unwrap();
        assert_eq!(c.root, "r.wasm");
        assert_eq!(c.dependencies.len(), 2);
        let o = c.options().unwrap();
        assert_eq!(o.plugs.len(), 2);
        assert!(Config::parse("root = 1").is_err());
        assert!(Config::parse("[imports]\nx = \"a\"").is_err());
        let c = Config::parse("root = \"r\"\n[imports]\nx = \"nope\"").unwrap();
        assert!(c
            .options()
            .unwrap_err()
            .to_string()
            .contains("unknown dependency"));
    }
}
