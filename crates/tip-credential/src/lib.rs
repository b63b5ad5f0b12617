//! Open Badges 3.0 credentials that anyone can verify without a server of
//! ours: Ed25519 keys, credentials secured as VC-JWT (compact JWS, EdDSA),
//! the issuer as `did:web`, and revocations as a W3C Bitstring Status List.
//!
//! Nothing here is hand-rolled cryptography: keys and signatures are
//! `ed25519-dalek`'s, PEM is its PKCS #8 support, and the JWS is assembled
//! by `jwt-compact`. What this crate adds is the shape of the documents.
//!
//! ```
//! use tip_credential::{Achievement, Award, Issuer, Key};
//!
//! let key = Key::generate()?;
//! let issuer = Issuer::new("https://tip.example.org/", "Example Programme", key.public())?;
//! assert_eq!(issuer.did, "did:web:tip.example.org");
//! let award = Award {
//!     id: "urn:uuid:00000000-0000-8000-8000-000000000000".into(),
//!     name: "Ann Lee".into(),
//!     email: Some("ann@example.org".into()),
//!     achievement: Achievement {
//!         id: "https://tip.example.org/courses/l2/".into(),
//!         name: "L2 Trauma Awareness".into(),
//!         description: "A one-day course.".into(),
//!         criteria: "Attend the whole day.".into(),
//!         tag: vec!["Tier 2".into()],
//!         hours: Some(6.5),
//!     },
//!     started: None,
//!     completed: "2022-01-18".parse()?,
//!     issued: "2022-02-01".parse()?,
//!     status: Some(issuer.status_entry(2022, 42)),
//! };
//! let signed = issuer.sign(&key, &award)?;
//! assert_eq!(signed.token.split('.').count(), 3);
//! assert_eq!(signed.code.len(), 9); // `7KQ3-M9XD`
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, TimeZone, Utc};
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jwt_compact::alg::Ed25519;
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Why a key or a credential could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A private key file is not an Ed25519 key in PKCS #8 PEM.
    #[error("not an Ed25519 private key in PEM ({0})")]
    PrivateKey(#[source] ed25519_dalek::pkcs8::Error),
    /// A public key file is not an Ed25519 key in SubjectPublicKeyInfo PEM.
    #[error("not an Ed25519 public key in PEM ({0})")]
    PublicKey(#[source] ed25519_dalek::pkcs8::spki::Error),
    /// The operating system gave no randomness for a new key.
    #[error("no randomness for a new key: {0}")]
    Random(#[source] getrandom::Error),
    /// The site address cannot name an issuer.
    #[error("`{0}` cannot name the issuer: an https:// address with a host is needed")]
    SiteUrl(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(#[source] jwt_compact::CreationError),
    /// The signing key is not one of the issuer's public keys.
    #[error("the signing key is not one of the issuer's public keys")]
    UnknownKey,
}

/// An Ed25519 key pair: the private half signs; never written to any
/// output.
#[derive(Clone)]
pub struct Key(SigningKey);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_tuple("Key").field(&"…").finish()
    }
}

impl Key {
    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<Key, Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(Error::Random)?;
        Ok(Key(SigningKey::from_bytes(&seed)))
    }

    /// Read a private key (`-----BEGIN PRIVATE KEY-----`, PKCS #8).
    pub fn from_pem(pem: &str) -> Result<Key, Error> {
        SigningKey::from_pkcs8_pem(pem)
            .map(Key)
            .map_err(Error::PrivateKey)
    }

    /// The private key as PKCS #8 PEM.
    pub fn to_pem(&self) -> String {
        self.0
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .expect("an Ed25519 key encodes")
            .to_string()
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// The public half of a [`Key`]: it goes in the data folder and on the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Read a public key (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo).
    pub fn from_pem(pem: &str) -> Result<PublicKey, Error> {
        VerifyingKey::from_public_key_pem(pem)
            .map(PublicKey)
            .map_err(Error::PublicKey)
    }

    /// The key as SubjectPublicKeyInfo PEM.
    pub fn to_pem(&self) -> String {
        self.0
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .expect("an Ed25519 key encodes")
    }

    /// The key as a JSON Web Key (`OKP`, `Ed25519`).
    pub fn jwk(&self) -> Value {
        json!({ "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(self.0.as_bytes()) })
    }
}

/// The issuer of a programme's credentials: `did:web` of its site.
#[derive(Clone, Debug)]
pub struct Issuer {
    /// `did:web:tip.kent-medway.example.org`.
    pub did: String,
    /// Where the DID document is published, relative to the site's root:
    /// `.well-known/did.json`, or `<path>/did.json` for a site in a folder.
    pub did_path: String,
    /// The site's address, ending in `/`.
    pub site_url: String,
    /// The programme's name.
    pub name: String,
    /// Every key the issuer has signed with, oldest first: all stay in the
    /// DID document, so credentials signed before a rotation still verify.
    pub keys: Vec<IssuerKey>,
}

/// One of an issuer's public keys, under its id in the DID document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuerKey {
    /// `key-1`: the fragment of its id, `<did>#key-1`.
    pub id: String,
    /// The key.
    pub key: PublicKey,
}

impl IssuerKey {
    /// The key `key` under the id `id` (`key-2`).
    pub fn new(id: impl Into<String>, key: PublicKey) -> IssuerKey {
        IssuerKey { id: id.into(), key }
    }
}

impl Issuer {
    /// The issuer of the site at `site_url` (`https://host[/path/]`), with
    /// one key, `key-1`.
    pub fn new(site_url: &str, name: &str, key: PublicKey) -> Result<Issuer, Error> {
        Issuer::with_keys(
            site_url,
            name,
            vec![IssuerKey {
                id: "key-1".into(),
                key,
            }],
        )
    }

    /// The issuer of the site at `site_url` with these keys, oldest first.
    pub fn with_keys(site_url: &str, name: &str, keys: Vec<IssuerKey>) -> Result<Issuer, Error> {
        let bad = || Error::SiteUrl(site_url.to_owned());
        let rest = site_url.strip_prefix("https://").ok_or_else(bad)?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() || host.contains(['@', '?', '#', ' ']) {
            return Err(bad());
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // A port is written %3A in a did:web.
        let mut did = format!("did:web:{}", host.replace(':', "%3A"));
        for s in &segments {
            did.push(':');
            did.push_str(s);
        }
        let did_path = if segments.is_empty() {
            ".well-known/did.json".to_owned()
        } else {
            "did.json".to_owned()
        };
        let site_url = if site_url.ends_with('/') {
            site_url.to_owned()
        } else {
            format!("{site_url}/")
        };
        Ok(Issuer {
            did,
            did_path,
            site_url,
            name: name.to_owned(),
            keys,
        })
    }

    /// The id in the DID document of the key whose private half is `key`:
    /// `<did>#key-2`.
    pub fn kid_of(&self, key: &PublicKey) -> Option<String> {
        self.keys
            .iter()
            .find(|k| k.key == *key)
            .map(|k| format!("{}#{}", self.did, k.id))
    }

    /// The DID document: every public key of the issuer, for any verifier,
    /// the newest (the key that signs now) first. Each credential's `kid`
    /// names its own key; a verifier that takes one key from the document
    /// without a `kid` to go by (openbadgeslib checks status lists so)
    /// takes the first, which signed the current lists.
    pub fn did_document(&self) -> Value {
        let ids: Vec<String> = self
            .keys
            .iter()
            .rev()
            .map(|k| format!("{}#{}", self.did, k.id))
            .collect();
        let methods: Vec<Value> = self
            .keys
            .iter()
            .rev()
            .zip(&ids)
            .map(|(k, id)| {
                json!({
                    "id": id,
                    "type": "JsonWebKey2020",
                    "controller": self.did,
                    "publicKeyJwk": k.key.jwk(),
                })
            })
            .collect();
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": self.did,
            "verificationMethod": methods,
            "assertionMethod": ids,
            "authentication": ids,
        })
    }

    /// The issuer's Open Badges profile.
    pub fn profile(&self, email: Option<&str>) -> Value {
        let mut p = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", OB_CONTEXT],
            "id": self.did,
            "type": ["Profile"],
            "name": self.name,
            "url": self.site_url,
        });
        if let Some(email) = email {
            p["email"] = json!(email);
        }
        p
    }

    /// The address of a year's status list: `<site>status/<year>.jwt`.
    pub fn status_list_url(&self, year: i32) -> String {
        format!("{}status/{year}.jwt", self.site_url)
    }

    /// Where a certificate's revocation is recorded: bit `index` of its
    /// year's list.
    pub fn status_entry(&self, year: i32, index: u32) -> Status {
        Status {
            list: self.status_list_url(year),
            index,
        }
    }

    /// Sign `award` as an Open Badges 3.0 credential (VC-JWT). The same
    /// award and key always give the same token (Ed25519 is deterministic),
    /// so a reprint gives the same code.
    pub fn sign(&self, key: &Key, award: &Award) -> Result<Signed, Error> {
        let mut subject = json!({
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": false,
                "identityHash": award.name,
            }],
            "achievement": award.achievement.to_json(),
            "activityEndDate": midnight(award.completed),
        });
        if let Some(email) = &award.email {
            subject["id"] = json!(format!("mailto:{email}"));
        }
        if let Some(start) = award.started {
            subject["activityStartDate"] = json!(midnight(start));
        }
        if let Some(hours) = award.achievement.hours {
            subject["creditsEarned"] = json!(hours);
        }
        let mut vc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", OB_CONTEXT],
            "id": award.id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": award.achievement.name,
            "issuer": { "id": self.did, "type": ["Profile"], "name": self.name, "url": self.site_url },
            "validFrom": midnight(award.issued),
            "credentialSubject": subject,
        });
        if let Some(status) = &award.status {
            vc["credentialStatus"] = status.to_json();
        }
        let mut claims = vc.as_object().cloned().unwrap_or_default();
        claims.insert("iss".into(), json!(self.did));
        claims.insert("jti".into(), json!(award.id));
        if let Some(email) = &award.email {
            claims.insert("sub".into(), json!(format!("mailto:{email}")));
        }
        let token = self.token(key, claims, award.issued)?;
        Ok(Signed {
            code: code_of(&token),
            token,
        })
    }

    /// The year's status list as a signed credential: bit `i` is set when
    /// the certificate with index `i` is revoked; the list holds at least
    /// `entries` bits (one more than the highest index issued), and never
    /// fewer than 131,072.
    pub fn status_list(
        &self,
        key: &Key,
        year: i32,
        revoked: &[u32],
        entries: u32,
        valid_from: NaiveDate,
    ) -> Result<String, Error> {
        let url = self.status_list_url(year);
        let vc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.did,
            "validFrom": midnight(valid_from),
            "credentialSubject": {
                "id": format!("{url}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encoded_list(revoked, entries),
            },
        });
        let mut claims = vc.as_object().cloned().unwrap_or_default();
        claims.insert("iss".into(), json!(self.did));
        claims.insert("jti".into(), json!(url));
        self.token(key, claims, valid_from)
    }

    fn token(
        &self,
        key: &Key,
        claims: Map<String, Value>,
        from: NaiveDate,
    ) -> Result<String, Error> {
        let kid = self.kid_of(&key.public()).ok_or(Error::UnknownKey)?;
        let header = Header::empty().with_key_id(kid).with_token_type("JWT");
        let mut claims = Claims::new(claims);
        claims.not_before =
            Some(Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).expect("midnight")));
        Ed25519.token(&header, &claims, &key.0).map_err(Error::Sign)
    }
}

/// The Open Badges 3.0 JSON-LD context.
const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// `2022-01-18T00:00:00Z`.
fn midnight(d: NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

/// The fewest entries a status list has: 16 KiB of bits, so that a list
/// says little about how many certificates there are.
pub const STATUS_LIST_MIN: u32 = 131_072;

/// A Bitstring Status List's `encodedList`: multibase (`u`) base64url of
/// the gzipped bits. The list has room for `entries` (and for every index
/// in `set`), rounded up to a multiple of [`STATUS_LIST_MIN`].
pub fn encoded_list(set: &[u32], entries: u32) -> String {
    use std::io::Write as _;
    let needed = set
        .iter()
        .map(|m| u64::from(*m) + 1)
        .max()
        .unwrap_or(0)
        .max(u64::from(entries));
    let bits_len = needed.max(1).next_multiple_of(u64::from(STATUS_LIST_MIN));
    let mut bits = vec![0u8; (bits_len / 8) as usize];
    for &i in set {
        // Bit 0 is the most significant bit of the first byte.
        bits[i as usize / 8] |= 0x80 >> (i % 8);
    }
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    gz.write_all(&bits).expect("writing to memory");
    let compressed = gz.finish().expect("writing to memory");
    format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// What a status list says: how many entries it has, and which are set.
/// `None` when `token` is not a status list credential this crate could
/// have written (its list over 16 MiB of bits is refused unread).
pub fn read_status_list(token: &str) -> Option<(u64, Vec<u32>)> {
    use std::io::Read as _;
    let claims = claims_unverified(token)?;
    let encoded = claims["credentialSubject"]["encodedList"].as_str()?;
    let gz = URL_SAFE_NO_PAD.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .take(16 << 20)
        .read_to_end(&mut bits)
        .ok()?;
    let set = bits
        .iter()
        .enumerate()
        .filter(|(_, b)| **b != 0)
        .flat_map(|(i, b)| {
            (0..8u32)
                .filter(move |bit| b & (0x80 >> bit) != 0)
                .map(move |bit| i as u32 * 8 + bit)
        })
        .collect();
    Some((bits.len() as u64 * 8, set))
}

/// The id of the key that signed `token` (`key-2`, the fragment of its
/// `kid`), read without checking the signature.
pub fn key_id_unverified(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let kid = header["kid"].as_str()?;
    Some(kid.rsplit_once('#').map_or(kid, |(_, f)| f).to_owned())
}

/// What a course is, for a credential.
#[derive(Clone, Debug, PartialEq)]
pub struct Achievement {
    /// Its address: the course's page on the site.
    pub id: String,
    /// The course title.
    pub name: String,
    /// What it is.
    pub description: String,
    /// What earns it, in plain words.
    pub criteria: String,
    /// Tags: the tier.
    pub tag: Vec<String>,
    /// CPD hours.
    pub hours: Option<f64>,
}

impl Achievement {
    fn to_json(&self) -> Value {
        let mut a = json!({
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": "CertificateOfCompletion",
            "name": self.name,
            "description": self.description,
            "criteria": { "narrative": self.criteria },
        });
        if !self.tag.is_empty() {
            a["tag"] = json!(self.tag);
        }
        if let Some(hours) = self.hours {
            a["creditsAvailable"] = json!(hours);
        }
        a
    }
}

/// Where a credential's revocation is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The status list credential's address.
    pub list: String,
    /// The credential's bit in it.
    pub index: u32,
}

impl Status {
    fn to_json(&self) -> Value {
        json!({
            "id": format!("{}#{}", self.list, self.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list,
        })
    }
}

/// One learner's credential, before signing.
#[derive(Clone, Debug, PartialEq)]
pub struct Award {
    /// The credential's id: a URI of its own.
    pub id: String,
    /// The learner's name, as printed.
    pub name: String,
    /// The learner's email: the credential's subject (`mailto:`).
    pub email: Option<String>,
    /// The course.
    pub achievement: Achievement,
    /// The first session.
    pub started: Option<NaiveDate>,
    /// When they completed it.
    pub completed: NaiveDate,
    /// When the certificate was issued.
    pub issued: NaiveDate,
    /// Where its revocation would be recorded.
    pub status: Option<Status>,
}

/// A signed credential and the code printed on the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The compact JWS (`header.payload.signature`).
    pub token: String,
    /// `7KQ3-M9XD`: derived from the signature.
    pub code: String,
}

/// A badge image with the credential baked in (Open Badges 3.0 §5.3: an
/// `openbadges:credential` element whose `verify` attribute is the
/// VC-JWT): what a learner uploads to a badge backpack or wallet, and what
/// verifiers read. `label` is the large text (`Tier 2`), `title` the
/// accessible name (the course), `colour` `#rrggbb`.
pub fn baked_svg(token: &str, label: &str, title: &str, colour: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let colour = if colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].bytes().all(|b| b.is_ascii_hexdigit())
    {
        colour
    } else {
        "#00577a"
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img" aria-label="{title}">
<title>{title}</title>
<circle cx="120" cy="120" r="116" fill="{colour}"/>
<circle cx="120" cy="120" r="102" fill="none" stroke="#fff" stroke-width="3"/>
<text x="120" y="118" text-anchor="middle" font-family="sans-serif" font-size="38" font-weight="bold" fill="#fff">{label}</text>
<text x="120" y="150" text-anchor="middle" font-family="sans-serif" font-size="15" fill="#fff">Certificate</text>
<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" verify="{token}"/>
</svg>
"##,
        title = esc(title),
        label = esc(label),
        token = esc(token),
    )
}

/// The VC-JWT baked in a badge made by [`baked_svg`].
pub fn unbake_svg(svg: &str) -> Option<&str> {
    let at = svg.find("<openbadges:credential")?;
    let rest = &svg[at..];
    let start = rest.find("verify=\"")? + "verify=\"".len();
    let end = rest[start..].find('"')?;
    Some(&rest[start..start + end])
}

/// The unambiguous alphabet of codes (Crockford's base 32: no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The verification code of a token: 40 bits of SHA-256 over its
/// signature, as `XXXX-XXXX`. Only the key's holder can make a signature,
/// so no one else can make a code that a published page answers to.
pub fn code_of(token: &str) -> String {
    let signature = token.rsplit('.').next().unwrap_or("");
    let digest = Sha256::digest(signature.as_bytes());
    let mut n = u64::from_be_bytes([
        0, 0, 0, digest[0], digest[1], digest[2], digest[3], digest[4],
    ]);
    let mut out = [0u8; 8];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    let s = String::from_utf8_lossy(&out).into_owned();
    format!("{}-{}", &s[..4], &s[4..])
}

/// A deterministic `urn:uuid:` for a name (UUID version 8, from SHA-256),
/// so a credential's id never changes when it is signed again.
pub fn urn_uuid(name: &str) -> String {
    let d = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The claims of a token, read without checking the signature (for
/// tests and pages; verifiers check the signature).
pub fn claims_unverified(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Whether `token` is signed by `key`.
pub fn verify(token: &str, key: &PublicKey) -> bool {
    let Ok(untrusted) = jwt_compact::UntrustedToken::new(token) else {
        return false;
    };
    Ed25519
        .validator::<Map<String, Value>>(&key.0)
        .validate(&untrusted)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(key: &Key) -> Issuer {
        Issuer::new("https://tip.example.org", "Example", key.public()).unwrap()
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let key = Key::generate().unwrap();
        let again = Key::from_pem(&key.to_pem()).unwrap();
        assert_eq!(again.public(), key.public());
        let public = PublicKey::from_pem(&key.public().to_pem()).unwrap();
        assert_eq!(public, key.public());
        assert!(key.to_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(public.to_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(!format!("{key:?}").contains("PRIVATE"));
        assert!(Key::from_pem(&public.to_pem()).is_err());
    }

    #[test]
    fn did_web_names_the_site() {
        let key = Key::generate().unwrap().public();
        let i = Issuer::new("https://tip.example.org/", "E", key).unwrap();
        assert_eq!(
            (i.did.as_str(), i.did_path.as_str()),
            ("did:web:tip.example.org", ".well-known/did.json")
        );
        let i = Issuer::new("https://example.org:8443/kent/tip/", "E", key).unwrap();
        assert_eq!(i.did, "did:web:example.org%3A8443:kent:tip");
        assert_eq!(i.did_path, "did.json");
        assert!(Issuer::new("http://example.org/", "E", key).is_err());
    }

    fn award() -> Award {
        Award {
            id: urn_uuid("KM-TIP-2022-000001"),
            name: "Zoë Ó'Brien".into(),
            email: Some("zoe@example.org".into()),
            achievement: Achievement {
                id: "https://tip.example.org/courses/l2/".into(),
                name: "L2".into(),
                description: "A day.".into(),
                criteria: "Attend.".into(),
                tag: vec![],
                hours: Some(6.5),
            },
            started: None,
            completed: "2022-01-18".parse().unwrap(),
            issued: "2022-02-01".parse().unwrap(),
            status: None,
        }
    }

    #[test]
    fn signing_is_deterministic_and_verifiable_and_the_code_follows_the_signature() {
        let key = Key::generate().unwrap();
        let i = issuer(&key);
        let a = i.sign(&key, &award()).unwrap();
        assert_eq!(a, i.sign(&key, &award()).unwrap(), "same award, same token");
        assert!(verify(&a.token, &key.public()));
        assert!(!verify(&a.token, &Key::generate().unwrap().public()));
        let claims = claims_unverified(&a.token).unwrap();
        assert_eq!(claims["iss"], "did:web:tip.example.org");
        assert_eq!(claims["sub"], "mailto:zoe@example.org");
        assert_eq!(claims["jti"], claims["id"]);
        assert_eq!(
            claims["credentialSubject"]["identifier"][0]["identityHash"],
            "Zoë Ó'Brien"
        );
        // A different name: a different signature, so a different code.
        let mut other = award();
        other.name = "Zoe O'Brien".into();
        let b = i.sign(&key, &other).unwrap();
        assert_ne!(a.code, b.code);
        assert!(
            a.code
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
    }

    #[test]
    fn a_tampered_token_fails() {
        let key = Key::generate().unwrap();
        let token = issuer(&key).sign(&key, &award()).unwrap().token;
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut payload = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
        let at = payload.windows(3).position(|w| w == b"Zo\xc3").unwrap();
        payload[at] = b'X';
        parts[1] = URL_SAFE_NO_PAD.encode(payload);
        assert!(!verify(&parts.join("."), &key.public()));
    }

    #[test]
    fn status_lists_set_the_revoked_bits() {
        use std::io::Read as _;
        let encoded = encoded_list(&[0, 42], 0);
        let gz = URL_SAFE_NO_PAD.decode(&encoded[1..]).unwrap();
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut bits)
            .unwrap();
        assert_eq!(bits.len(), 16 * 1024);
        assert_eq!(bits[0], 0x80);
        assert_eq!(bits[5], 0x20, "bit 42: byte 5, third from the left");
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 2);
        assert_eq!(encoded, encoded_list(&[42, 0], 0), "reproducible");
        assert_eq!(
            read_status_list(&format!(
                "a.{}.c",
                URL_SAFE_NO_PAD
                    .encode(json!({"credentialSubject": {"encodedList": encoded}}).to_string())
            )),
            Some((131_072, vec![0, 42]))
        );
    }

    #[test]
    fn status_lists_have_room_for_every_issued_index() {
        use std::io::Read as _;
        let bits = |encoded: String| {
            let gz = URL_SAFE_NO_PAD.decode(&encoded[1..]).unwrap();
            let mut bits = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut bits)
                .unwrap();
            bits.len() as u64 * 8
        };
        assert_eq!(bits(encoded_list(&[], 0)), 131_072);
        assert_eq!(bits(encoded_list(&[], 131_072)), 131_072);
        // Index 131,072 needs 131,073 entries: the next size up.
        assert_eq!(bits(encoded_list(&[], 131_073)), 262_144);
        assert_eq!(bits(encoded_list(&[131_072], 0)), 262_144);
    }

    #[test]
    fn a_baked_badge_carries_the_token_and_escapes_text() {
        let svg = baked_svg("a.b.c", "Tier 2", "R&D <course>", "#123456");
        assert_eq!(unbake_svg(&svg), Some("a.b.c"));
        assert!(svg.contains("R&amp;D &lt;course&gt;"));
        assert!(baked_svg("t", "x", "y", "red\" onload=\"x").contains("#00577a"));
    }

    #[test]
    fn credentials_name_their_key_and_every_key_stays_in_the_did_document() {
        let old = Key::generate().unwrap();
        let new = Key::generate().unwrap();
        let i = Issuer::with_keys(
            "https://tip.example.org/",
            "E",
            vec![
                IssuerKey {
                    id: "key-1".into(),
                    key: old.public(),
                },
                IssuerKey {
                    id: "key-2".into(),
                    key: new.public(),
                },
            ],
        )
        .unwrap();
        let a = i.sign(&old, &award()).unwrap();
        let b = i.sign(&new, &award()).unwrap();
        assert_eq!(key_id_unverified(&a.token).as_deref(), Some("key-1"));
        assert_eq!(key_id_unverified(&b.token).as_deref(), Some("key-2"));
        assert!(verify(&a.token, &old.public()) && verify(&b.token, &new.public()));
        let doc = i.did_document();
        assert_eq!(doc["verificationMethod"].as_array().unwrap().len(), 2);
        assert_eq!(
            doc["assertionMethod"][0], "did:web:tip.example.org#key-2",
            "the newest first"
        );
        assert_eq!(
            doc["verificationMethod"][1]["id"],
            "did:web:tip.example.org#key-1"
        );
        // A key the issuer does not list signs nothing.
        let stranger = Key::generate().unwrap();
        assert!(matches!(
            i.sign(&stranger, &award()),
            Err(Error::UnknownKey)
        ));
    }

    #[test]
    fn urns_are_stable_uuids() {
        let u = urn_uuid("KM-TIP-2022-000042");
        assert_eq!(u, urn_uuid("KM-TIP-2022-000042"));
        assert_eq!(u.len(), "urn:uuid:".len() + 36);
        assert_eq!(&u[23..24], "8");
    }
}
