//! `tip revoke DIR NUMBER --reason TEXT [--on DATE]`: withdraw a
//! certificate, in the ledger, under its lock.

use std::io::{self, Write};

use chrono::NaiveDate;

use crate::{DataDir, Outcome, load};

/// Arguments of `tip revoke`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The certificate's number (`KM-TIP-2022-000042`).
    #[arg(value_name = "NUMBER")]
    number: String,
    /// Why: shown on its verify page and kept in the ledger.
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// The day it is revoked (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    on: Option<NaiveDate>,
}

/// Fill the certificate's `revoked` and `reason` in the ledger file that
/// records it.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let mut err = anstream::stderr().lock();
    let Some(cert) = data.certificates().iter().find(|c| c.number == args.number) else {
        writeln!(
            err,
            "error: no certificate `{}` in the ledger\n  = help: numbers are written as `tip certify` printed them, e.g. `{}-2022-000042`",
            args.number,
            data.programme().id.to_uppercase()
        )?;
        return Ok(Outcome::Invalid);
    };
    let reason = args.reason.trim();
    if reason.is_empty() || reason.contains(['\n', '\r']) {
        writeln!(
            err,
            "error: give the reason in a few words on one line: it is shown on the certificate's page"
        )?;
        return Ok(Outcome::Invalid);
    }
    let file = data.location(cert.loc).file;
    if !file.ends_with(".csv") {
        writeln!(
            err,
            "error: `{}` is recorded in `{file}`, which only a person edits: fill its `revoked` and `reason` there",
            args.number
        )?;
        return Ok(Outcome::Invalid);
    }
    let on = match args.on {
        Some(day) => day,
        None => crate::build_time()?.date_naive(),
    };
    let path = data.root().join(&*file);
    let ledger = tip_certificate::LedgerFile::open(&path)?;
    if let Err(e) = ledger.revoke(&args.number, on, reason) {
        if e.kind() == io::ErrorKind::InvalidInput {
            writeln!(err, "error: {e}")?;
            return Ok(Outcome::Invalid);
        }
        return Err(e);
    }
    writeln!(
        err,
        "revoked {} on {on} in {}\n  = next: commit it, and publish it with `tip build` (its page and its status list change); to issue a corrected certificate: `tip certify {} --cohort <COHORT> --reissue {} -o <FOLDER>`",
        args.number,
        path.display(),
        args.data.dir.display(),
        args.number
    )?;
    crate::done(data);
    Ok(Outcome::Success)
}
