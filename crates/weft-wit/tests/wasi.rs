//! The WASI WIT definitions in the shared spec folder (`<repo>/../shared/spec/wasi-0.2` and
//! `wasi-0.3.0`) resolve, and every world in every package they contain prints.
//!
//! When `../shared` is not beside the repository (a plain clone), the test says so and passes:
//! those files are not part of this repository.

use std::path::{Path, PathBuf};

use weft_wit::print::{print_package, PrintOptions};
use weft_wit::Resolve;

fn spec_dir(name: &str) -> Option<PathBuf> {
    let dir = weft_test_util::shared_spec(name);
    match dir.is_dir() {
        true => Some(dir.canonicalize().unwrap_or(dir)),
        false => {
            println!(
                "skipped: `{}` does not exist (no `shared/` folder beside the repository)",
                dir.display()
            );
            None
        }
    }
}

/// Resolves `dir` (with no `@unstable` feature, then with all of them), then prints each world
/// of each package on its own.
fn check(dir: &Path) {
    for all_features in [false, true] {
        check_with(dir, all_features);
    }
}

fn check_with(dir: &Path, all_features: bool) {
    let mut resolve = Resolve::new();
    resolve.all_features = all_features;
    let main = match resolve.push_path(dir) {
        Ok(pkg) => pkg,
        Err(e) => panic!(
            "`{}` does not resolve:\n{}",
            dir.display(),
            resolve.render_error(&e)
        ),
    };
    assert!(
        !resolve.packages[main].worlds.is_empty(),
        "`{}`: the main package has no worlds",
        dir.display()
    );
    let mut worlds = 0;
    for (pkg_id, pkg) in resolve.packages.iter() {
        let whole = print_package(&resolve, pkg_id, &PrintOptions { world: None });
        assert!(
            whole.contains(&pkg.name.to_string()),
            "printing `{}` does not name the package:\n{whole}",
            pkg.name
        );
        for (name, &world) in &pkg.worlds {
            let text = print_package(&resolve, pkg_id, &PrintOptions { world: Some(world) });
            assert!(
                text.contains(&format!("world {name}")),
                "printing world `{name}` of `{}` does not show it:\n{text}",
                pkg.name
            );
            worlds += 1;
        }
    }
    println!(
        "{} (all features: {all_features}): {} packages, {worlds} worlds printed",
        dir.display(),
        resolve.packages.len()
    );
}

#[test]
fn wasi_0_2_resolves_and_prints() {
    if let Some(dir) = spec_dir("wasi-0.2") {
        check(&dir);
    }
}

#[test]
fn wasi_0_3_resolves_and_prints() {
    if let Some(dir) = spec_dir("wasi-0.3.0") {
        check(&dir);
    }
}
