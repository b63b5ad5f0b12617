//! Print the generated parts of `docs/data-format.md`: the field tables of
//! every section and the table of diagnostic codes.
//!
//! ```text
//! cargo run -p tip-core --example field-tables
//! ```

fn main() {
    print!("{}", tip_core::schema::field_tables());
    println!("## Diagnostic codes\n");
    print!("{}", tip_core::diagnostic::code_table());
}
