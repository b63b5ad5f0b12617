//! The YAML readers checked against each other: whenever the fast path
//! (the line reader, [`super::lines`]) gives a tree, it must be
//! serde-saphyr's reading of the same text, places included. The fuzz target `yaml` and the example
//! `yaml-differential` (run by CI for a minute) call this on generated and
//! damaged YAML.

use super::tree::Node;
use super::yaml::options;

/// `Ok` with how many fast readers read `text` (0 or 1) when each that
/// reads it reads it as serde-saphyr does; otherwise which one differs,
/// and how.
pub fn yaml_readers_agree(text: &str) -> Result<usize, String> {
    let fast = [("line reader", super::lines::build(text))];
    let read = fast.iter().filter(|(_, tree)| tree.is_some()).count();
    if read == 0 {
        return Ok(0);
    }
    let reference = serde_saphyr::from_str_with_options::<Node>(text, options());
    for (name, tree) in fast {
        let Some(tree) = tree else { continue };
        match &reference {
            Ok(expected) if *expected == tree => {}
            Ok(expected) => {
                return Err(format!(
                    "the {name} reads {text:?} as\n{tree:?}\nbut serde-saphyr as\n{expected:?}"
                ));
            }
            Err(e) => {
                return Err(format!(
                    "the {name} reads {text:?}, which serde-saphyr refuses: {e}"
                ));
            }
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_agree_on_every_yaml_file_of_the_repository() {
        for path in super::super::yaml_samples::repository_yaml_files() {
            if let Ok(text) = std::fs::read_to_string(&path)
                && let Err(e) = yaml_readers_agree(&text)
            {
                panic!("{}: {e}", path.display());
            }
        }
    }
}
