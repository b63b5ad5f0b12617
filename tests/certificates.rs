//! Certificates that stay verifiable for years: the ledger under
//! concurrency, explicit re-issue, reprints as signed, key rotation and
//! compromise, status lists that always answer, and the boundary between
//! the private key and everything published. The real `tip`, on copies of
//! the example in temporary folders.

use std::fs;
use std::path::Path;
use std::process::Command;

mod support;
use support::*;

/// `tip certify DATA --cohort l2-2022-10-dartford --as-of 2023-01-10`
/// with `extra` arguments, signed with `key`, into `out`.
fn certify_dartford(data: &Path, out: &Path, key: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "certify",
        s(data),
        "--cohort",
        "l2-2022-10-dartford",
        "--as-of",
        "2023-01-10",
        "-o",
        s(out),
    ];
    args.extend_from_slice(extra);
    // Issued on 10 January 2023.
    let env = [
        ("TIP_SIGNING_KEY", key),
        ("SOURCE_DATE_EPOCH", Path::new("1673308800")),
    ];
    let (code, _, err) = tip_env(&args, &env);
    (code, err)
}

/// The ledger's rows, as maps of column to cell.
fn ledger(data: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(data.join("certificates.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn row<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    person: &str,
) -> Vec<&'a std::collections::HashMap<String, String>> {
    rows.iter().filter(|r| r["person"] == person).collect()
}

/// `tip build DATA -o SITE --as-of 2023-02-01`, built on 1 February 2023
/// with the key `key` (or none).
fn build_site(data: &Path, site: &Path, key: Option<&Path>) -> (i32, String) {
    let mut env = vec![("SOURCE_DATE_EPOCH", Path::new("1675209600"))];
    if let Some(key) = key {
        env.push(("TIP_SIGNING_KEY", key));
    }
    let (code, _, err) = tip_env(
        &["build", s(data), "-o", s(site), "--as-of", "2023-02-01"],
        &env,
    );
    (code, err)
}

fn token_of(svg: &Path) -> String {
    let text = fs::read_to_string(svg).unwrap();
    tip_credential::unbake_svg(&text).unwrap().to_owned()
}

/// Twenty times, two `certify` runs at once on one data folder, each
/// issuing one certificate: no number or status index is shared, and the
/// ledger keeps both rows.
#[test]
fn two_certify_runs_at_once_lose_nothing_and_duplicate_nothing() {
    for _ in 0..20 {
        let (tmp, data) = example_copy();
        let before = ledger(&data).len();
        let run = |person: &str, out: &str| {
            Command::new(env!("CARGO_BIN_EXE_tip"))
                .args([
                    "certify",
                    s(&data),
                    "--cohort",
                    "l2-2022-10-dartford",
                    "--person",
                    person,
                    "--as-of",
                    "2023-01-10",
                    "-o",
                    s(&tmp.path().join(out)),
                ])
                .env("TIP_SIGNING_KEY", example_key())
                .env("SOURCE_DATE_EPOCH", "1673308800")
                .spawn()
                .unwrap()
        };
        let mut a = run("marta-novak", "a");
        let mut b = run("gareth-llwyd", "b");
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
        let rows = ledger(&data);
        assert_eq!(rows.len(), before + 2, "both runs' rows are kept");
        let mut numbers: Vec<&str> = rows.iter().map(|r| r["number"].as_str()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), rows.len(), "no number is given twice");
        let stray = fs::read_dir(&data)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tip-ledger"))
            .count();
        assert_eq!(stray, 0, "no temporary file is left");
    }
}

/// After a revocation, `certify` prints nothing new for that completion
/// until `--reissue` names the revoked number; the replacement records it
/// and the revoked certificate's page links to it.
#[test]
fn a_revoked_completion_is_not_issued_again_until_reissue() {
    let (tmp, data) = example_copy();
    let key = example_key();
    let (code, err) = certify_dartford(&data, &tmp.path().join("first"), &key, &[]);
    assert_eq!(code, 0, "{err}");
    let first = row(&ledger(&data), "rosa-delgado")[0]["number"].clone();
    revoke(&data, &first, "2023-01-12", "name misspelt");
    let (code, err) = certify_dartford(&data, &tmp.path().join("second"), &key, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("{first} was revoked")) && err.contains("--reissue"),
        "{err}"
    );
    assert_eq!(row(&ledger(&data), "rosa-delgado").len(), 1, "nothing new");
    assert!(
        !fs::read_dir(tmp.path().join("second"))
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("rosa-delgado")),
        "the revoked certificate is not printed again"
    );
    // A number that is not revoked is refused.
    let other = row(&ledger(&data), "tariq-hussain")[0]["number"].clone();
    let (code, err) = certify_dartford(&data, &tmp.path().join("x"), &key, &["--reissue", &other]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not a revoked certificate"), "{err}");
    // Asked for: a new number that records the one it replaces.
    let (code, err) = certify_dartford(
        &data,
        &tmp.path().join("third"),
        &key,
        &["--reissue", &first],
    );
    assert_eq!(code, 0, "{err}");
    let rows = ledger(&data);
    let rosa = row(&rows, "rosa-delgado");
    assert_eq!(rosa.len(), 2);
    assert_eq!(rosa[1]["replaces"], first);
    assert!(
        err.contains(&format!("{} replaces {first}", rosa[1]["number"])),
        "{err}"
    );
    let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
    assert_eq!(code, 0, "{err}");
    // The site: the revoked page links its replacement.
    let site = tmp.path().join("site");
    let (code, err) = build_site(&data, &site, Some(&key));
    assert_eq!(code, 0, "{err}");
    let page =
        fs::read_to_string(site.join(format!("verify/{}/index.html", rosa[0]["code"]))).unwrap();
    assert!(page.contains("Revoked on 12 January 2023"), "{page}");
    assert!(page.contains("name misspelt"), "{page}");
    assert!(
        page.contains(&format!("href=\"../{}/index.html\"", rosa[1]["code"])),
        "{page}"
    );
}

/// A reprint gives back the credential as signed, byte for byte, even
/// after the name changed in the data (which `validate` and `certify`
/// point out).
#[test]
fn a_reprint_is_the_credential_as_signed_and_a_changed_name_is_pointed_out() {
    let (tmp, data) = example_copy();
    let key = example_key();
    let (code, err) = certify_dartford(&data, &tmp.path().join("a"), &key, &[]);
    assert_eq!(code, 0, "{err}");
    let number = row(&ledger(&data), "rosa-delgado")[0]["number"].clone();
    let svg = |dir: &str| {
        tmp.path()
            .join(dir)
            .join(format!("{number}-rosa-delgado.svg"))
    };
    let signed = token_of(&svg("a"));
    assert_eq!(row(&ledger(&data), "rosa-delgado")[0]["credential"], signed);
    edit(
        &data.join("people.csv"),
        "Rosa Delgado",
        "Rosa Delgado Ruiz",
    );
    let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning[changed-since-issue]") && err.contains("Rosa Delgado Ruiz"),
        "{err}"
    );
    let (code, err) = certify_dartford(&data, &tmp.path().join("b"), &key, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("{number} is reprinted as issued")),
        "{err}"
    );
    assert_eq!(token_of(&svg("b")), signed, "the same credential");
    let pdf = fs::read(
        tmp.path()
            .join("b")
            .join(format!("{number}-rosa-delgado.pdf")),
    )
    .unwrap();
    let first = fs::read(
        tmp.path()
            .join("a")
            .join(format!("{number}-rosa-delgado.pdf")),
    )
    .unwrap();
    assert_eq!(pdf, first, "the same certificate, byte for byte");
}

/// Rotation: a new key added to `public_keys` signs from its day on; what
/// the old key signed keeps verifying (both are in `did.json`, each under
/// its own id); the old key signs nothing more; a compromised key's later
/// credentials are revoked and listed.
#[test]
fn after_a_rotation_old_and_new_credentials_both_verify() {
    let (tmp, data) = example_copy();
    let old_key = example_key();
    let (code, err) = certify_dartford(
        &data,
        &tmp.path().join("old"),
        &old_key,
        &["--person", "marta-novak"],
    );
    assert_eq!(code, 0, "{err}");
    // The two-step rotation of docs/certificates.md.
    let new_key = tmp.path().join("keys/issuer-2023.pem");
    fs::create_dir_all(new_key.parent().unwrap()).unwrap();
    let (code, _, err) = tip_env(&["keys", "new", "-o", s(&new_key)], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("public_keys:"), "{err}");
    fs::copy(
        tmp.path().join("keys/issuer-2023.pub.pem"),
        data.join("keys/issuer-2023.pub.pem"),
    )
    .unwrap();
    edit(
        &data.join("programme.yaml"),
        "  public_key: keys/issuer.pub.pem",
        "  public_keys:\n    - file: keys/issuer.pub.pem\n    - file: keys/issuer-2023.pub.pem\n      from: 2023-01-05",
    );
    // The old key no longer signs.
    let (code, err) = certify_dartford(&data, &tmp.path().join("refused"), &old_key, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`key-2`") && err.contains("sign with it"),
        "{err}"
    );
    let (code, err) = certify_dartford(
        &data,
        &tmp.path().join("new"),
        &new_key,
        &["--person", "gareth-llwyd"],
    );
    assert_eq!(code, 0, "{err}");
    let rows = ledger(&data);
    assert_eq!(row(&rows, "gareth-llwyd")[0]["key"], "key-2");
    assert_eq!(row(&rows, "marta-novak")[0]["key"], "key-1");
    let (code, _, err) = tip_env(&["validate", s(&data)], &[("TIP_SIGNING_KEY", &new_key)]);
    assert_eq!(code, 0, "{err}");
    // The site lists both keys; each credential verifies with the key its
    // `kid` names there.
    let site = tmp.path().join("site");
    let (code, err) = build_site(&data, &site, Some(&new_key));
    assert_eq!(code, 0, "{err}");
    let did: serde_json::Value =
        serde_json::from_slice(&fs::read(site.join(".well-known/did.json")).unwrap()).unwrap();
    let methods = did["verificationMethod"].as_array().unwrap();
    assert_eq!(methods.len(), 2);
    let pem = fs::read_to_string(site.join("issuer.pub.pem")).unwrap();
    assert_eq!(
        pem,
        fs::read_to_string(data.join("keys/issuer-2023.pub.pem")).unwrap()
    );
    for (dir, person) in [("old", "marta-novak"), ("new", "gareth-llwyd")] {
        let number = &row(&rows, person)[0]["number"];
        let token = token_of(&tmp.path().join(dir).join(format!("{number}-{person}.svg")));
        let kid = tip_credential::key_id_unverified(&token).unwrap();
        let method = methods
            .iter()
            .find(|m| m["id"].as_str().unwrap().ends_with(&format!("#{kid}")))
            .unwrap();
        let x = method["publicKeyJwk"]["x"].as_str().unwrap();
        let key = [
            data.join("keys/issuer.pub.pem"),
            data.join("keys/issuer-2023.pub.pem"),
        ]
        .into_iter()
        .map(|p| tip_credential::PublicKey::from_pem(&fs::read_to_string(p).unwrap()).unwrap())
        .find(|k| k.jwk()["x"] == x)
        .unwrap();
        assert!(
            tip_credential::verify(&token, &key),
            "{person}'s credential verifies"
        );
    }
    // The old key leaks: marked compromised from 1 January 2023, the
    // credentials it signed from then on are revoked, and `validate` lists
    // them.
    edit(
        &data.join("programme.yaml"),
        "    - file: keys/issuer.pub.pem\n",
        "    - file: keys/issuer.pub.pem\n      compromised: 2023-01-01\n",
    );
    let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
    assert_eq!(code, 0, "{err}");
    let marta = &row(&rows, "marta-novak")[0]["number"];
    assert!(
        err.contains("warning[compromised-key]") && err.contains(marta.as_str()),
        "{err}"
    );
    let (code, err) = build_site(&data, &site, Some(&new_key));
    assert_eq!(code, 0, "{err}");
    let list = fs::read_to_string(site.join("status/2022.jwt")).unwrap();
    let (_, set) = tip_credential::read_status_list(list.trim()).unwrap();
    let index: u32 = marta.rsplit('-').next().unwrap().parse().unwrap();
    assert!(set.contains(&index), "revoked in its status list");
}

/// A build without the key publishes the lists the last build signed while
/// no revocation changed them, and fails with the fix when one did; no
/// published file lists the verification codes.
#[test]
fn a_keyless_build_keeps_the_status_lists_and_refuses_a_stale_one() {
    let (tmp, data) = example_copy();
    let key = example_key();
    let site = tmp.path().join("site");
    let build = |key: Option<&Path>| build_site(&data, &site, key);
    let (code, err) = build(Some(&key));
    assert_eq!(code, 0, "{err}");
    let signed = fs::read_to_string(site.join("status/2022.jwt")).unwrap();
    let (code, err) = build(None);
    assert_eq!(code, 0, "{err}");
    let kept = fs::read_to_string(site.join("status/2022.jwt")).unwrap();
    assert_eq!(kept, signed, "kept as signed");
    // Every issued index has its bit: the list is long enough.
    let (len, _) = tip_credential::read_status_list(signed.trim()).unwrap();
    assert!(len >= 131_072);
    // No published file names the codes but their own pages.
    let codes: Vec<String> = ledger(&data).iter().map(|r| r["code"].clone()).collect();
    for file in walk(&site) {
        let rel = file
            .strip_prefix(&site)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel.starts_with("verify/") {
            continue;
        }
        let text = String::from_utf8_lossy(&fs::read(&file).unwrap()).into_owned();
        for code in &codes {
            assert!(!text.contains(code.as_str()), "{rel} lists {code}");
        }
    }
    // A revocation: the list must change, and without the key it cannot.
    revoke(
        &data,
        "KM-TIP-2022-000003",
        "2023-01-20",
        "recorded against the wrong cohort",
    );
    let (code, err) = build(None);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("status list for 2022") && err.contains("TIP_SIGNING_KEY"),
        "{err}"
    );
    let untouched = fs::read_to_string(site.join("status/2022.jwt")).unwrap();
    assert_eq!(untouched, signed, "the failed build changed nothing");
    let (code, err) = build(Some(&key));
    assert_eq!(code, 0, "{err}");
    let list = fs::read_to_string(site.join("status/2022.jwt")).unwrap();
    let (_, set) = tip_credential::read_status_list(list.trim()).unwrap();
    assert!(set.contains(&3));
}

/// A private key never reaches the data folder or a published file:
/// through a symlinked folder, a programme file that hides its key, or a
/// resource whose content is a key; and a key file is only read when
/// small and regular.
#[test]
fn the_private_key_stays_out_of_the_data_and_everything_published() {
    let (tmp, data) = example_copy();
    // `keys new` through a link to the data folder.
    #[cfg(unix)]
    {
        let link = tmp.path().join("elsewhere");
        std::os::unix::fs::symlink(&data, &link).unwrap();
        let (code, _, err) = tip_env(&["keys", "new", "-o", s(&link.join("keys/oops.pem"))], &[]);
        assert_ne!(code, 0, "{err}");
        assert!(err.contains("inside a data folder"), "{err}");
        assert!(!data.join("keys/oops.pem").exists());
    }
    // TIP_SIGNING_KEY naming a device or a FIFO is refused, not read.
    let (code, _, err) = tip_env(
        &[
            "certify",
            s(&data),
            "--cohort",
            "l2-2022-10-dartford",
            "-o",
            s(&tmp.path().join("c")),
        ],
        &[("TIP_SIGNING_KEY", Path::new("/dev/zero"))],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    // A programme file written with a byte-order mark and a quoted key.
    let programme = fs::read_to_string(data.join("programme.yaml")).unwrap();
    fs::write(
        data.join("programme.yaml"),
        format!(
            "\u{feff}{}",
            programme.replacen("programme:", "\"programme\":", 1)
        ),
    )
    .unwrap();
    let (code, _, err) = tip_env(&["keys", "new", "-o", s(&data.join("branding/k.pem"))], &[]);
    assert_ne!(code, 0, "{err}");
    assert!(!data.join("branding/k.pem").exists());
    // A private key saved as a resource is refused whatever its name.
    fs::copy(example_key(), data.join("resources/notes.pdf")).unwrap();
    edit(
        &data.join("resources.yaml"),
        "file: resources/understanding-trauma-leaflet.pdf",
        "file: resources/notes.pdf",
    );
    let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[private-file]") && err.contains("private key"),
        "{err}"
    );
}

/// docs/certificates.md's walkthrough, run as written: its `sh` blocks in
/// order, in a copy of the repository's example with `~` a temporary
/// folder, and its `programme.yaml` edit where the page makes it.
#[test]
fn certificates_walkthrough_runs_as_written() {
    let doc = fs::read_to_string(repo().join("docs/certificates.md")).unwrap();
    let walkthrough = &doc[doc.find("## Walkthrough").unwrap()..doc.find("## Keys").unwrap()];
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("repo");
    let home = tmp.path().join("home");
    for folder in ["data/kent-medway", "tests/fixtures/keys"] {
        fs::create_dir_all(work.join(folder)).unwrap();
        copy_dir(&repo().join(folder), &work.join(folder));
    }
    fs::create_dir_all(&home).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_tip")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |script: &str| {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(&work)
            .env("HOME", &home)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("TIP_SIGNING_KEY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut script = String::new();
    let mut blocks = 0;
    for (i, block) in walkthrough.split("```").enumerate() {
        if i % 2 == 0 {
            continue;
        }
        if let Some(body) = block.strip_prefix("sh\n") {
            script.push_str(body);
            blocks += 1;
        } else if let Some(yaml) = block.strip_prefix("yaml\n") {
            // The edit the page describes, before the commands after it.
            run(&script);
            script.clear();
            edit(
                &work.join("my-programme/programme.yaml"),
                "  public_key: keys/issuer.pub.pem\n",
                yaml,
            );
        }
    }
    run(&script);
    assert!(blocks >= 4, "only {blocks} blocks");
    let rows = ledger(&work.join("my-programme"));
    let rosa = row(&rows, "rosa-delgado");
    assert_eq!(rosa.len(), 2);
    assert_eq!(rosa[1]["replaces"], "KM-TIP-2022-000048");
    assert!(home.join("tip-keys/issuer-2023.pem").is_file());
    let did = fs::read_to_string(work.join("site/.well-known/did.json")).unwrap();
    assert!(did.contains("#key-2") && did.contains("#key-1"), "{did}");
}

/// Ledger rows a person could write by hand, each caught at its cell:
/// numbers in one written form (a sign or extra zeros are not), codes in
/// their alphabet, dates in order; a sequence past 999999 widens.
#[test]
fn ledger_numbers_codes_and_dates_are_checked_at_their_cells() {
    let (_tmp, data) = example_copy();
    let path = data.join("certificates.csv");
    let mut text = fs::read_to_string(&path).unwrap();
    for row in [
        // 44: a sign in the sequence
        "KM-TIP-2022-+00041,ABCD-EFGH,wyn-price,l2-trauma-awareness,2022-01-18,2022-12-01,,,,,",
        // 45: a code that is a path
        "KM-TIP-2022-000101,../../../pwn,wyn-price,l2-trauma-awareness,2022-01-18,2022-12-01,,,,,",
        // 46: issued before completion
        "KM-TIP-2022-000102,ABCD-EFG2,wyn-price,l2-trauma-awareness,2022-01-18,2022-01-01,,,,,",
        // 47: revoked before issue
        "KM-TIP-2022-000103,ABCD-EFG3,wyn-price,l2-trauma-awareness,2022-01-18,2022-12-01,2022-11-01,oops,,,",
        // 48: extra zeros past six digits
        "KM-TIP-2022-0000042,ABCD-EFG6,wyn-price,l2-trauma-awareness,2022-01-18,2022-12-01,,,,,",
    ] {
        text.push_str(row);
        text.push('\n');
    }
    fs::write(&path, &text).unwrap();
    let report = |data: &Path| -> serde_json::Value {
        let out = tip(&["validate", s(data), "--format", "json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let at = |report: &serde_json::Value, line: u64| -> Vec<(String, String, u64)> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == "certificates.csv" && d["line"] == line)
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_owned(),
                    d["severity"].as_str().unwrap().to_owned(),
                    d["column"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let r = report(&data);
    assert_eq!(at(&r, 44), [("invalid-value".into(), "error".into(), 1)]);
    assert_eq!(at(&r, 45), [("invalid-value".into(), "error".into(), 20)]);
    assert_eq!(at(&r, 46), [("invalid-value".into(), "error".into(), 71)]);
    assert_eq!(at(&r, 47), [("invalid-value".into(), "error".into(), 82)]);
    assert_eq!(at(&r, 48), [("invalid-value".into(), "error".into(), 1)]);
    // Well formed: a sequence past six digits; a revocation in 2099 is a
    // warning (it stands revoked from now).
    let (_tmp, data) = example_copy();
    let path = data.join("certificates.csv");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(
        "KM-TIP-2022-1000000,ABCD-EFG5,wyn-price,l2-trauma-awareness,2022-01-18,2022-12-01,,,,,\n",
    );
    text.push_str("KM-TIP-2022-000104,ABCD-EFG4,wyn-price,l2-trauma-awareness,2022-01-18,2022-12-01,2099-01-01,later,,,\n");
    fs::write(&path, &text).unwrap();
    let r = report(&data);
    assert_eq!(at(&r, 44), []);
    assert_eq!(at(&r, 45), [("invalid-value".into(), "warning".into(), 82)]);
}
