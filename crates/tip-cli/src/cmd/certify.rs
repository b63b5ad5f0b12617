//! `tip certify DIR --cohort ID [--person ID] [--as-of DATE] (-o DIR | --combined FILE)`

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use tip_certificate::{Renderer, file_name, register};

use crate::{DataDir, Outcome, load, output, unknown};

/// Arguments of `tip certify`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("to").required(true).args(["output", "combined"])))]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The cohort.
    #[arg(long, value_name = "ID")]
    cohort: String,
    /// Only this person's certificate.
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// The date to judge completion on (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    as_of: Option<NaiveDate>,
    /// Write one PDF per completer, and `register.csv`, into this folder
    /// (new, empty, or one tip wrote certificates into before).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write every certificate into this one PDF (for printing), with the
    /// register beside it (`<name>-register.csv`).
    #[arg(long, value_name = "FILE")]
    combined: Option<PathBuf>,
}

/// Print certificates for everyone who completed the cohort.
// Long: to be reshaped with the certificate rework (issue 13: krilla,
// the ledger, signed credentials), which replaces most of its steps.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let Some(cohort) = data.cohort(&args.cohort) else {
        return unknown("cohort", &args.cohort, data.suggest_cohort(&args.cohort));
    };
    let person = match &args.person {
        Some(id) => match data.person(id) {
            Some(p) => Some(p),
            None => return unknown("person", id, data.suggest_person(id)),
        },
        None => None,
    };
    let on = args.as_of.unwrap_or_else(crate::today);
    let secret = std::env::var("TIP_CERT_SECRET").unwrap_or_default();
    let plan = match tip_certificate::plan(&data, cohort, on, person, secret.as_bytes()) {
        Ok(plan) => plan,
        Err(refusal) => {
            writeln!(anstream::stderr(), "error: {refusal}")?;
            return Ok(Outcome::Invalid);
        }
    };
    let font = data
        .programme()
        .branding
        .as_ref()
        .and_then(|b| b.font.as_ref())
        .map(|f| {
            let path = tip_core::public_file(data.root(), f).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("the font `{f}` {e}"))
            })?;
            std::fs::read(&path).map_err(output::at(&path))
        })
        .transpose()?;
    let renderer = Renderer::new(&data, font.as_deref()).map_err(io::Error::other)?;

    let mut err = anstream::stderr().lock();
    for m in renderer.check(&data, &plan.certificates) {
        writeln!(
            err,
            "warning: the font has no glyph for `{}` (U+{:04X}) in {}: it would print as a blank box",
            m.character, m.character as u32, m.place
        )?;
    }
    for (p, reason) in &plan.not_earned {
        writeln!(
            err,
            "no certificate for {} ({}): {reason}",
            data[*p].name, data[*p].id
        )?;
    }
    if plan.certificates.is_empty() {
        writeln!(err, "no one has completed `{}` as of {on}", data[cohort].id)?;
        return Ok(Outcome::Success);
    }
    let stamp = crate::data::source_date_epoch()?;
    let outputs = output::Outputs::new(&args.data.dir, &data.programme().id)?;
    let progress = progress(plan.certificates.len());
    let certificates = &plan.certificates;
    match (&args.output, &args.combined) {
        (Some(dir), _) => {
            let files: Vec<(String, Vec<u8>)> = certificates
                .par_iter()
                .map(|c| {
                    let pdf = renderer.render(&data, std::slice::from_ref(c), stamp);
                    progress.inc(1);
                    (file_name(&data, c), pdf)
                })
                .collect();
            let mut all = files;
            all.push((
                "register.csv".into(),
                register(&data, certificates).into_bytes(),
            ));
            outputs.write_into_folder(dir, output::FolderKind::Certificates, &all)?;
            progress.finish_and_clear();
            writeln!(
                err,
                "{} certificates in {}",
                certificates.len(),
                dir.display()
            )?;
        }
        (None, Some(file)) => {
            let pdf = renderer.render(&data, certificates, stamp);
            progress.finish_and_clear();
            let register_path = register_beside(file);
            outputs.write_files(&[
                (file, output::FileKind::Pdf, &pdf),
                (
                    &register_path,
                    output::FileKind::Register,
                    register(&data, certificates).as_bytes(),
                ),
            ])?;
            writeln!(
                err,
                "{} certificates in {} (register: {})",
                certificates.len(),
                file.display(),
                register_path.display()
            )?;
        }
        (None, None) => unreachable!("clap requires one of them"),
    }
    crate::done(data);
    Ok(Outcome::Success)
}

/// `certs.pdf` → `certs-register.csv`.
fn register_beside(file: &Path) -> PathBuf {
    let stem = file.file_stem().map_or_else(
        || "certificates".into(),
        |s| s.to_string_lossy().into_owned(),
    );
    file.with_file_name(format!("{stem}-register.csv"))
}

/// A progress bar on a terminal, for more than a few dozen certificates.
fn progress(n: usize) -> indicatif::ProgressBar {
    if n > 36 && io::stderr().is_terminal() {
        indicatif::ProgressBar::new(n as u64)
    } else {
        indicatif::ProgressBar::hidden()
    }
}
