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
    /// Write one PDF and one badge with the signed credential baked in
    /// (`.svg`) per completer, and
    /// `register.csv`, into this folder (new, empty, or one tip wrote
    /// certificates into before).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write every certificate into this one PDF (for printing), with the
    /// register beside it (`<name>-register.csv`).
    #[arg(long, value_name = "FILE")]
    combined: Option<PathBuf>,
    /// Print drafts without a key: "DRAFT — not a certificate" across each
    /// page; nothing is numbered, signed or recorded.
    #[arg(long)]
    draft: bool,
    /// Issue a new certificate in place of this revoked one (its number;
    /// repeat for several): a revoked completion is otherwise not issued
    /// again. The new ledger row records the number it replaces.
    #[arg(long, value_name = "NUMBER")]
    reissue: Vec<String>,
}

/// Issue certificates for everyone who completed the cohort: record them
/// in the ledger, sign their credentials, print them.
// Long: one step after another, each with its own refusal.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let Some(cohort) = data.cohort(&args.cohort) else {
        return unknown("cohort", &args.cohort, data.suggest_cohort(&args.cohort));
    };
    let person = match args.person.as_deref().map(|id| (id, data.person(id))) {
        Some((id, None)) => return unknown("person", id, data.suggest_person(id)),
        found => found.and_then(|(_, p)| p),
    };
    let on = args.as_of.unwrap_or_else(crate::today);
    let mut plan = match tip_certificate::plan(&data, cohort, on, person) {
        Ok(plan) => plan,
        Err(refusal) => {
            writeln!(anstream::stderr(), "error: {refusal}")?;
            return Ok(Outcome::Invalid);
        }
    };
    // Issuing signs; only a draft goes without the key.
    let stamp = crate::data::source_date_epoch()?;
    let today = stamp.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    let today = today.map_or_else(crate::today, |t| t.date_naive());
    let signer = if args.draft {
        None
    } else {
        Some(signer(&data, &args.data.dir, today)?)
    };
    let renderer = match Renderer::new(&data) {
        Ok(r) if args.draft => r.draft(),
        Ok(r) => r,
        Err(e) => {
            writeln!(anstream::stderr(), "error: {e}")?;
            return Ok(Outcome::Invalid);
        }
    };

    let mut err = anstream::stderr().lock();
    let Some(refused) = refuse_unprintable(&data, &renderer, &mut plan.certificates, &mut err)?
    else {
        return Ok(Outcome::Invalid);
    };

    let outputs = output::Outputs::new(&args.data.dir, &data.programme().id)?;
    // Refuse a bad place before anything is recorded.
    match (&args.output, &args.combined) {
        (Some(dir), _) => outputs.check_folder(dir, output::FolderKind::Certificates)?,
        (None, Some(file)) => {
            outputs.file(file, output::FileKind::Pdf)?;
        }
        (None, None) => {}
    }
    let request = tip_certificate::Request {
        signer: signer.as_ref(),
        today,
        reissue: &args.reissue,
    };
    // Issuing is recording: the ledger first, under its lock, so that a
    // failure after it reprints the same certificates, never new numbers,
    // and two runs at once never share a number.
    let issued = if signer.is_some() {
        issue_and_record(&data, &mut plan.certificates, request, &mut err)?
    } else {
        let ledger = tip_certificate::ledger_rows(&data);
        tip_certificate::issue(&data, &mut plan.certificates, &ledger, request)
    };
    let issuance = match issued {
        Ok(issuance) => issuance,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(Outcome::Invalid);
        }
    };
    report(&data, &issuance, &plan.not_earned, &mut err)?;
    let finished = if refused > 0 {
        Outcome::Invalid
    } else {
        Outcome::Success
    };
    if plan.certificates.is_empty() {
        if refused == 0 && issuance.held.is_empty() {
            writeln!(err, "no one has completed `{}` as of {on}", data[cohort].id)?;
        }
        return Ok(finished);
    }
    write(
        args,
        &data,
        &renderer,
        &plan.certificates,
        &issuance.credentials,
        stamp,
        &outputs,
        &mut err,
    )?;
    crate::done(data);
    Ok(finished)
}

/// Leave out the certificates that cannot be printed — a name no font
/// draws (blank boxes), a name too long for the page even broken inside a
/// word — each said as an error; how many were left out, or `None` when
/// the course title itself cannot be printed (no certificates at all).
fn refuse_unprintable(
    data: &tip_core::Dataset,
    renderer: &Renderer,
    certificates: &mut Vec<tip_certificate::Certificate>,
    err: &mut impl Write,
) -> io::Result<Option<usize>> {
    // A name no font draws would print blank boxes: that person gets no
    // certificate (the others do), and the run ends with exit 1.
    let missing = renderer.check(data, certificates);
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
        return Ok(None);
    }
    // A name too long for the page, even broken inside a word, would run
    // off its edges: refused the same way.
    let too_long = renderer.too_long(certificates);
    for p in &too_long {
        writeln!(
            err,
            "error: the name of `{}` does not fit on the certificate, even on two lines at the course title's size: that certificate is not printed\n  = help: check the name in the data (a certificate prints the name as the person uses it; a shorter form may be theirs)",
            data[*p].id
        )?;
    }
    let before = certificates.len();
    certificates.retain(|c| {
        !missing.iter().any(|m| m.person == Some(c.person)) && !too_long.contains(&c.person)
    });
    Ok(Some(before - certificates.len()))
}

/// What issuing did besides printing: replacements, reprints whose data
/// changed, revoked completions held back, and who earned nothing.
fn report(
    data: &tip_core::Dataset,
    issuance: &tip_certificate::Issuance,
    not_earned: &[(tip_core::Ix<tip_core::model::Person>, String)],
    err: &mut impl Write,
) -> io::Result<()> {
    for (new, old) in &issuance.replaced {
        writeln!(err, "{new} replaces {old}, which was revoked")?;
    }
    for (number, changes) in &issuance.changed {
        writeln!(
            err,
            "warning: {number} is reprinted as issued, but {changes}\n  = help: to issue a corrected certificate, revoke {number} in the ledger (`revoked`, `reason`), then run this again with `--reissue {number}`"
        )?;
    }
    for (p, number) in &issuance.held {
        writeln!(
            err,
            "no certificate for {} ({}): {number} was revoked, and a revoked completion is not issued again\n  = help: to issue a replacement, run this again with `--reissue {number}`",
            data[*p].name, data[*p].id
        )?;
    }
    for (p, reason) in not_earned {
        writeln!(
            err,
            "no certificate for {} ({}): {reason}",
            data[*p].name, data[*p].id
        )?;
    }
    Ok(())
}

/// Render the certificates and write them where asked: a PDF, a badge
/// and a line of the register each into a folder, or one combined PDF and
/// its register beside it.
#[allow(clippy::too_many_arguments)] // the run's parts, handed down once
fn write(
    args: &Args,
    data: &tip_core::Dataset,
    renderer: &Renderer,
    certificates: &[tip_certificate::Certificate],
    credentials: &[String],
    stamp: Option<i64>,
    outputs: &output::Outputs,
    err: &mut impl Write,
) -> io::Result<()> {
    let progress = progress(certificates.len());
    match (&args.output, &args.combined) {
        (Some(dir), _) => {
            let files: Vec<(String, Vec<u8>)> = certificates
                .par_iter()
                .map(|c| {
                    let pdf = renderer
                        .render(data, std::slice::from_ref(c), stamp)
                        .map_err(io::Error::other)?;
                    progress.inc(1);
                    Ok((file_name(data, c), pdf))
                })
                .collect::<io::Result<_>>()?;
            let mut all = files;
            // Each learner's credential, baked into a badge image.
            let colour = data
                .programme()
                .branding
                .as_ref()
                .and_then(|b| b.colour.clone())
                .unwrap_or_default();
            for (c, token) in certificates.iter().zip(credentials) {
                let name = file_name(data, c).replace(".pdf", ".svg");
                let course = &data[c.course];
                let label = format!("Tier {}", data[course.tier].level);
                let svg = tip_credential::baked_svg(token, &label, &course.title, &colour);
                all.push((name, svg.into_bytes()));
            }
            all.push((
                "register.csv".into(),
                register(data, certificates).into_bytes(),
            ));
            outputs.write_into_folder(dir, output::FolderKind::Certificates, &all)?;
            progress.finish_and_clear();
            writeln!(
                err,
                "{} {} in {}",
                certificates.len(),
                if args.draft { "drafts" } else { "certificates" },
                dir.display()
            )?;
        }
        (None, Some(file)) => {
            let pdf = renderer
                .render(data, certificates, stamp)
                .map_err(io::Error::other)?;
            progress.finish_and_clear();
            let register_path = register_beside(file);
            outputs.write_files(&[
                (file, output::FileKind::Pdf, &pdf),
                (
                    &register_path,
                    output::FileKind::Register,
                    register(data, certificates).as_bytes(),
                ),
            ])?;
            writeln!(
                err,
                "{} {} in {} (register: {})",
                certificates.len(),
                if args.draft { "drafts" } else { "certificates" },
                file.display(),
                register_path.display()
            )?;
        }
        (None, None) => unreachable!("clap requires one of them"),
    }
    Ok(())
}

/// The programme's signer: the private key named by `TIP_SIGNING_KEY`,
/// the private half of the key in use today, for `did:web` of its site.
fn signer(
    data: &tip_core::Dataset,
    dir: &Path,
    today: NaiveDate,
) -> io::Result<tip_certificate::Signer> {
    let refuse = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    let issuer = crate::signing::issuer(data)?;
    let Some((key, entry)) = crate::signing::signing_key(data, dir, &issuer.keys)? else {
        return Err(refuse(
            "certificates are signed when issued, and TIP_SIGNING_KEY is not set\n  = help: make a key once with `tip keys new -o ~/tip-keys/issuer.pem` (it says where each half goes), then `export TIP_SIGNING_KEY=~/tip-keys/issuer.pem`; or print drafts, which record nothing, with `--draft`".into(),
        ));
    };
    crate::signing::in_use(data, entry, today)?;
    Ok(tip_certificate::Signer { key, issuer })
}

/// Issue and record under the ledger's lock (tip-certificate), saying
/// what was cleaned up and where the new rows went.
fn issue_and_record(
    data: &tip_core::Dataset,
    certificates: &mut Vec<tip_certificate::Certificate>,
    request: tip_certificate::Request<'_>,
    err: &mut impl Write,
) -> io::Result<Result<tip_certificate::Issuance, tip_certificate::IssueError>> {
    let recorded = match tip_certificate::issue_and_record(data, certificates, request) {
        Ok(recorded) => recorded,
        Err(tip_certificate::IssueError::Ledger(e)) => return Err(e),
        Err(e) => return Ok(Err(e)),
    };
    for stray in &recorded.cleaned {
        writeln!(
            err,
            "removed `{}`, left by an interrupted `tip certify`",
            stray.display()
        )?;
    }
    if let Some(path) = &recorded.file {
        let new = recorded.issuance.new.len();
        writeln!(
            err,
            "recorded {new} new certificate{} in {}",
            if new == 1 { "" } else { "s" },
            path.display()
        )?;
    }
    Ok(Ok(recorded.issuance))
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
