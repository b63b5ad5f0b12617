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
    let renderer = match Renderer::new(&data) {
        Ok(r) => r,
        Err(e) => {
            writeln!(anstream::stderr(), "error: {e}")?;
            return Ok(Outcome::Invalid);
        }
    };

    // A name no font draws would print blank boxes: that person gets no
    // certificate (the others do), and the run ends with exit 1.
    let mut err = anstream::stderr().lock();
    let missing = renderer.check(&data, &plan.certificates);
    let mut refused = 0;
    let mut plan = plan;
    for (place, chars) in group_missing(&missing) {
        writeln!(
            err,
            "error: no font can draw {} in {place}: that certificate is not printed\n  = help: add a font that has it to `branding.fonts` in the programme (for Chinese, e.g. Noto Sans SC)",
            tip_certificate::characters(&chars)
        )?;
    }
    if missing.iter().any(|m| m.person.is_none()) {
        writeln!(
            err,
            "error: the course title cannot be printed: no certificates"
        )?;
        return Ok(Outcome::Invalid);
    }
    plan.certificates.retain(|c| {
        let keep = !missing.iter().any(|m| m.person == Some(c.person));
        refused += usize::from(!keep);
        keep
    });
    for (p, reason) in &plan.not_earned {
        writeln!(
            err,
            "no certificate for {} ({}): {reason}",
            data[*p].name, data[*p].id
        )?;
    }
    let finished = if refused > 0 {
        Outcome::Invalid
    } else {
        Outcome::Success
    };
    if plan.certificates.is_empty() {
        if refused == 0 {
            writeln!(err, "no one has completed `{}` as of {on}", data[cohort].id)?;
        }
        return Ok(finished);
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
                    let pdf = renderer
                        .render(&data, std::slice::from_ref(c), stamp)
                        .map_err(io::Error::other)?;
                    progress.inc(1);
                    Ok((file_name(&data, c), pdf))
                })
                .collect::<io::Result<_>>()?;
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
            let pdf = renderer
                .render(&data, certificates, stamp)
                .map_err(io::Error::other)?;
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
    Ok(finished)
}

/// The missing characters of each place, in order.
fn group_missing(missing: &[tip_certificate::MissingGlyph]) -> Vec<(&str, Vec<char>)> {
    let mut out: Vec<(&str, Vec<char>)> = Vec::new();
    for m in missing {
        match out.iter_mut().find(|(p, _)| *p == m.place) {
            Some((_, chars)) => chars.push(m.character),
            None => out.push((&m.place, vec![m.character])),
        }
    }
    out
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
