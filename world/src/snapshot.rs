//! Loading a [`World`]: an `iamspec-snapshot/1` (FORMAT.md; a directory holding `snapshot.json`,
//! or one JSON file), or a bare GAAD file (one account, no organization).

use crate::credential_report;
use crate::entity::{
    Account, Document, IdentityProvider, PasswordPolicy, ProviderType, Resource, World,
};
use crate::err::{Finding, LoadError};
use crate::gaad;
use crate::organization::Organization;
use crate::read::Reader;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::PolicyKind;
use iamspec_model::principal::is_account_id;
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "iamspec-snapshot/1";

/// Quotas checked on load (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>).
pub const GROUPS_PER_USER: usize = 10;
pub const ACCESS_KEYS_PER_USER: usize = 2;
pub const VERSIONS_PER_POLICY: usize = 5;
/// The default; it can be raised to 20 on request, so exceeding it is reported, not fatal.
pub const MANAGED_POLICIES_PER_ENTITY: usize = 10;
pub const TAGS_PER_ENTITY: usize = 50;

/// Loads a snapshot directory, a snapshot file, or a GAAD file.
pub fn load(path: &Path) -> Result<World, LoadError> {
    let (file, base) = if path.is_dir() {
        (path.join("snapshot.json"), path.to_owned())
    } else {
        (
            path.to_owned(),
            path.parent().map(Path::to_owned).unwrap_or_default(),
        )
    };
    let name = file.display().to_string();
    let json = read_json(&file, &name)?;
    if gaad::is_gaad(&json) {
        return from_gaad_pages(&[(name, json)]);
    }
    from_json(&name, &json, &base)
}

fn read_json(file: &Path, name: &str) -> Result<Json, LoadError> {
    let text = read_text(file, name, &JsonPath::root())?;
    Json::parse(&text).map_err(|e| LoadError {
        file: name.to_owned(),
        path: JsonPath::root(),
        message: e.to_string(),
    })
}

fn read_text(file: &Path, name: &str, path: &JsonPath) -> Result<String, LoadError> {
    std::fs::read_to_string(file).map_err(|e| LoadError {
        file: name.to_owned(),
        path: path.clone(),
        message: format!("cannot read `{}`: {e}", file.display()),
    })
}

/// One account from one or more GAAD pages (merged).
pub fn from_gaad_pages(pages: &[(String, Json)]) -> Result<World, LoadError> {
    let id = pages
        .iter()
        .find_map(|(_, json)| gaad::account_of(json))
        .unwrap_or_else(|| "000000000000".to_owned());
    let mut findings = Vec::new();
    let mut account = Account::new(&id);
    for (file, json) in pages {
        gaad::load_page(file, json, &mut account, &mut findings)?;
    }
    let file = pages.first().map(|(f, _)| f.clone()).unwrap_or_default();
    let mut world = World::default();
    world.accounts.push(account);
    world.findings = findings;
    finish(world, &file)
}

/// A snapshot already parsed; file references are relative to `base`.
pub fn from_json(file: &str, json: &Json, base: &Path) -> Result<World, LoadError> {
    let r = Reader::new(file);
    let root = JsonPath::root();
    let m = r.object(json, &root)?;
    match r.opt_str(m, "format", &root)? {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(r.error(
                &root.key("format"),
                format!(
                    "unsupported format `{}` (expected `{FORMAT}`)",
                    iamspec_model::quote::shown(other)
                ),
            ))
        }
        None => {
            return Err(r.error(
                &root,
                format!("missing `format` (`{FORMAT}`), and not a GAAD file either"),
            ))
        }
    }
    for (key, _) in m {
        if !matches!(
            key.as_str(),
            "format" | "organization" | "accounts" | "resources" | "description"
        ) {
            return Err(r.error(&root.key(key), "unknown snapshot field"));
        }
    }
    let mut world = World::default();
    if let Some(org) = Reader::get(m, "organization") {
        world.organization = Some(Organization::read(
            r,
            org,
            &root.key("organization"),
            &mut world.findings,
        )?);
    }
    for (i, item) in r.opt_array(m, "accounts", &root)?.iter().enumerate() {
        let at = root.key("accounts").index(i);
        let account = account(r, item, &at, base, &mut world.findings)?;
        world.accounts.push(account);
    }
    for (i, item) in r.opt_array(m, "resources", &root)?.iter().enumerate() {
        let at = root.key("resources").index(i);
        let resource = resource(r, item, &at, base, &mut world.findings)?;
        world.resources.push(resource);
    }
    if let Some(org) = &world.organization {
        for account in &mut world.accounts {
            if account.name.is_none() {
                account.name = org.account_names.get(&account.id).cloned();
            }
        }
    }
    finish(world, file)
}

/// A member that is inline JSON, or a string naming a file relative to `base`.
fn inline_or_file(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    base: &Path,
) -> Result<(String, Json), LoadError> {
    match json {
        Json::String(relative) => {
            let file: PathBuf = base.join(relative);
            let name = file.display().to_string();
            let _ = path;
            Ok((name.clone(), read_json(&file, &name)?))
        }
        other => Ok((r.file.to_owned(), other.clone())),
    }
}

fn account(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    base: &Path,
    findings: &mut Vec<Finding>,
) -> Result<Account, LoadError> {
    let m = r.object(json, path)?;
    let id = r.req_str(m, "id", path)?;
    if !is_account_id(id) {
        return Err(r.error(
            &path.key("id"),
            format!(
                "`{}` is not a 12-digit account id",
                iamspec_model::quote::shown(id)
            ),
        ));
    }
    let mut account = Account::new(id);
    account.alias = r.opt_str(m, "alias", path)?.map(str::to_owned);
    account.name = r.opt_str(m, "name", path)?.map(str::to_owned);
    if let Some(gaad) = Reader::get(m, "gaad") {
        let at = path.key("gaad");
        // One page, or a list of pages (`--no-paginate` output, or `--max-items` pages).
        let pages: Vec<(&Json, JsonPath)> = match gaad {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, p)| (p, at.index(i)))
                .collect(),
            other => vec![(other, at.clone())],
        };
        for (page, page_path) in pages {
            let (file, json) = inline_or_file(r, page, &page_path, base)?;
            if file == r.file {
                // Inline: paths inside name the snapshot's own member.
                let reader = Reader::new(r.file);
                let _ = reader;
                gaad_inline(r.file, &json, &page_path, &mut account, findings)?;
            } else {
                gaad::load_page(&file, &json, &mut account, findings)?;
            }
        }
    }
    if let Some(report) = Reader::get(m, "credential_report") {
        let at = path.key("credential_report");
        let (file, text) = match report {
            Json::String(relative)
                if !relative.contains('\n') && !relative.starts_with("user,") =>
            {
                let file = base.join(relative);
                let name = file.display().to_string();
                let text = read_text(&file, &name, &at)?;
                (name, text)
            }
            Json::String(text) => (r.file.to_owned(), text.clone()),
            Json::Object(_) => (r.file.to_owned(), report.to_compact_string()),
            other => {
                return Err(r.error(
                    &at,
                    format!(
                        "expected a file name, CSV text or the `{{Content, ...}}` object, found {}",
                        other.type_name()
                    ),
                ))
            }
        };
        let rows = credential_report::parse(&file, &text)?;
        credential_report::apply(&file, &rows, &mut account, findings);
    }
    if let Some(policy) = Reader::get(m, "password_policy") {
        let at = path.key("password_policy");
        let pm = r.object(policy, &at)?;
        // `aws iam get-account-password-policy` wraps it in `PasswordPolicy`.
        let (pm, at) = match Reader::get(pm, "PasswordPolicy") {
            Some(inner) => (
                r.object(inner, &at.key("PasswordPolicy"))?,
                at.key("PasswordPolicy"),
            ),
            None => (pm, at),
        };
        let flag = |key: &str| r.opt_bool(pm, key, &at).map(|b| b.unwrap_or(false));
        account.password_policy = Some(PasswordPolicy {
            minimum_password_length: r.opt_u64(pm, "MinimumPasswordLength", &at)?,
            require_symbols: flag("RequireSymbols")?,
            require_numbers: flag("RequireNumbers")?,
            require_uppercase_characters: flag("RequireUppercaseCharacters")?,
            require_lowercase_characters: flag("RequireLowercaseCharacters")?,
            allow_users_to_change_password: flag("AllowUsersToChangePassword")?,
            max_password_age: r.opt_u64(pm, "MaxPasswordAge", &at)?,
            password_reuse_prevention: r.opt_u64(pm, "PasswordReusePrevention", &at)?,
            hard_expiry: flag("HardExpiry")?,
        });
    }
    for (i, item) in r
        .opt_array(m, "identity_providers", path)?
        .iter()
        .enumerate()
    {
        let at = path.key("identity_providers").index(i);
        let pm = r.object(item, &at)?;
        let arn = r.req_str(pm, "arn", &at)?.to_owned();
        let kind = if arn.contains(":saml-provider/") {
            ProviderType::Saml
        } else if arn.contains(":oidc-provider/") {
            ProviderType::Oidc
        } else {
            return Err(r.error(
                &at.key("arn"),
                "expected a `saml-provider/` or `oidc-provider/` ARN",
            ));
        };
        let mut client_ids = Vec::new();
        for (j, c) in r.opt_array(pm, "client_ids", &at)?.iter().enumerate() {
            client_ids.push(r.string(c, &at.key("client_ids").index(j))?.to_owned());
        }
        account.identity_providers.push(IdentityProvider {
            arn,
            kind,
            url: r.opt_str(pm, "url", &at)?.map(str::to_owned),
            client_ids,
        });
    }
    if account.source.is_empty() {
        account.source = r.file.to_owned();
    }
    Ok(account)
}

/// A GAAD given inline in the snapshot: errors name the snapshot file and the member's path.
fn gaad_inline(
    file: &str,
    json: &Json,
    at: &JsonPath,
    account: &mut Account,
    findings: &mut Vec<Finding>,
) -> Result<(), LoadError> {
    let before = findings.len();
    gaad::load_page(file, json, account, findings).map_err(|e| LoadError {
        path: at.join(&e.path),
        ..e
    })?;
    for finding in findings.iter_mut().skip(before) {
        finding.path = at.join(&finding.path);
    }
    Ok(())
}

fn resource(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    base: &Path,
    findings: &mut Vec<Finding>,
) -> Result<Resource, LoadError> {
    let m = r.object(json, path)?;
    let arn = r.req_str(m, "arn", path)?.to_owned();
    let parsed = iamspec_model::arn::Arn::parse(&arn)
        .map_err(|e| r.error(&path.key("arn"), e.to_string()))?;
    let account = match r.opt_str(m, "account", path)? {
        Some(a) if is_account_id(a) => a.to_owned(),
        Some(a) => {
            return Err(r.error(
                &path.key("account"),
                format!(
                    "`{}` is not a 12-digit account id",
                    iamspec_model::quote::shown(a)
                ),
            ))
        }
        None if is_account_id(parsed.account()) => parsed.account().to_owned(),
        None => {
            return Err(r.error(
                path,
                "missing `account` (the ARN does not name the owning account)",
            ))
        }
    };
    let policy = match Reader::get(m, "policy") {
        None => None,
        Some(Json::String(text))
            if !text.trim_start().starts_with('{') && text.ends_with(".json") =>
        {
            let (file, json) =
                inline_or_file(r, &Json::String(text.clone()), &path.key("policy"), base)?;
            Some(Document::read(
                Reader::new(&file),
                &json,
                &JsonPath::root(),
                PolicyKind::Resource,
                findings,
            )?)
        }
        Some(doc) => Some(Document::read(
            r,
            doc,
            &path.key("policy"),
            PolicyKind::Resource,
            findings,
        )?),
    };
    Ok(Resource {
        arn,
        account,
        policy,
        tags: r.tags(m, "tags", path)?,
    })
}

/// Indexes the world and reports what does not resolve and what exceeds AWS's quotas.
fn finish(mut world: World, file: &str) -> Result<World, LoadError> {
    world.index().map_err(|message| LoadError {
        file: file.to_owned(),
        path: JsonPath::root(),
        message,
    })?;
    let mut findings = Vec::new();
    for account in &world.accounts {
        check_account(account, &mut findings);
    }
    world.findings.extend(findings);
    Ok(world)
}

fn check_account(account: &Account, findings: &mut Vec<Finding>) {
    let file = &account.source;
    let mut report = |code: &'static str, path: JsonPath, message: String| {
        findings.push(Finding {
            code,
            file: file.clone(),
            path,
            message,
        })
    };
    let missing = |arn: &str| account.policy(arn).is_none();
    for (i, user) in account.users.iter().enumerate() {
        let at = JsonPath::root().key("UserDetailList").index(i);
        if user.groups.len() > GROUPS_PER_USER {
            report(
                "quota",
                at.key("GroupList"),
                format!(
                    "user `{}` is in {} groups; AWS allows {GROUPS_PER_USER}",
                    user.name,
                    user.groups.len()
                ),
            );
        }
        if user.access_keys.len() > ACCESS_KEYS_PER_USER {
            report(
                "quota",
                at.clone(),
                format!(
                    "user `{}` has {} access keys; AWS allows {ACCESS_KEYS_PER_USER}",
                    user.name,
                    user.access_keys.len()
                ),
            );
        }
        for (j, group) in user.groups.iter().enumerate() {
            if account.group_named(group).is_none() {
                report("unknown-group", at.key("GroupList").index(j), format!("user `{}` is in group `{group}`, which the account does not have; evaluated without it", user.name));
            }
        }
        entity_checks(
            &mut report,
            &at,
            "user",
            &user.name,
            &user.attached,
            user.boundary.as_ref(),
            user.tags.len(),
            &missing,
        );
    }
    for (i, group) in account.groups.iter().enumerate() {
        let at = JsonPath::root().key("GroupDetailList").index(i);
        entity_checks(
            &mut report,
            &at,
            "group",
            &group.name,
            &group.attached,
            None,
            0,
            &missing,
        );
    }
    for (i, role) in account.roles.iter().enumerate() {
        let at = JsonPath::root().key("RoleDetailList").index(i);
        entity_checks(
            &mut report,
            &at,
            "role",
            &role.name,
            &role.attached,
            role.boundary.as_ref(),
            role.tags.len(),
            &missing,
        );
    }
    for (i, policy) in account.policies.iter().enumerate() {
        if policy.versions.len() > VERSIONS_PER_POLICY {
            report(
                "quota",
                JsonPath::root()
                    .key("Policies")
                    .index(i)
                    .key("PolicyVersionList"),
                format!(
                    "policy `{}` has {} versions; AWS allows {VERSIONS_PER_POLICY}",
                    policy.name,
                    policy.versions.len()
                ),
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn entity_checks(
    report: &mut impl FnMut(&'static str, JsonPath, String),
    at: &JsonPath,
    what: &str,
    name: &str,
    attached: &[crate::entity::AttachedPolicy],
    boundary: Option<&crate::entity::AttachedPolicy>,
    tags: usize,
    missing: &impl Fn(&str) -> bool,
) {
    if attached.len() > MANAGED_POLICIES_PER_ENTITY {
        report("quota", at.key("AttachedManagedPolicies"), format!("{what} `{name}` has {} managed policies attached; AWS allows {MANAGED_POLICIES_PER_ENTITY} by default", attached.len()));
    }
    if tags > TAGS_PER_ENTITY {
        report(
            "quota",
            at.key("Tags"),
            format!("{what} `{name}` has {tags} tags; AWS allows {TAGS_PER_ENTITY}"),
        );
    }
    for (j, policy) in attached.iter().enumerate() {
        if missing(&policy.arn) {
            report("missing-policy", at.key("AttachedManagedPolicies").index(j), format!("{what} `{name}` attaches `{}`, which is not in the file (renamed or deleted?); the {what} is evaluated fail closed", policy.arn));
        }
    }
    if let Some(b) = boundary {
        if missing(&b.arn) {
            report("missing-policy", at.key("PermissionsBoundary"), format!("{what} `{name}` has the boundary `{}`, which is not in the file; the {what} is evaluated fail closed", b.arn));
        }
    }
}
