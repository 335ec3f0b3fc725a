//! Issue 15: `audit` and `credential-report` on a 7,000-principal synthetic account (the
//! `iamspec_world::synth` GAAD of `Size::LARGE`, seed 11: 2,000 users, 5,000 roles), with
//! credentials added deterministically (console passwords, one or two access keys of various
//! ages and uses, MFA for some users, the root user) so that every column and check has work.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use iamspec_model::json::Json;
use iamspec_world::entity::{AccessKey, KeyStatus, LoginProfile, MfaDevice};
use iamspec_world::synth::{gaad, Size};
use iamspec_world::time::Timestamp;
use iamspec_world::{audit, report, snapshot, World};

const DAY: i64 = 86_400;

/// The synthetic account with credentials.
pub fn world() -> Option<(World, Timestamp)> {
    let text = serde_json::to_string(&gaad("123456789012", Size::LARGE, 11)).ok()?;
    let json = Json::parse(&text).ok()?;
    let mut world = snapshot::from_gaad_pages(&[("gaad-7000.json".into(), json)]).ok()?;
    let at = Timestamp::parse("2026-06-01T00:00:00Z")?;
    let account = world.accounts.first_mut()?;
    account.root.known = true;
    account.root.create_date = Some(Timestamp(at.0 - 2_000 * DAY));
    account.root.password_last_used = Some(Timestamp(at.0 - 3 * DAY));
    for (i, user) in account.users.iter_mut().enumerate() {
        let i = i as i64;
        user.create_date = Some(Timestamp(at.0 - (30 + i % 900) * DAY));
        if i % 3 != 0 {
            user.login_profile = Some(LoginProfile {
                last_used: (i % 5 != 0).then(|| Timestamp(at.0 - (i % 120) * DAY)),
                last_changed: Some(Timestamp(at.0 - (i % 400) * DAY)),
                next_rotation: None,
            });
        }
        for k in 0..(i % 3) {
            user.access_keys.push(AccessKey {
                id: Some(format!("AKIA{i:012}{k:04}")),
                status: if k == 1 && i % 2 == 0 {
                    KeyStatus::Inactive
                } else {
                    KeyStatus::Active
                },
                created: Some(Timestamp(at.0 - ((i * 7 + k * 31) % 500) * DAY)),
                last_used: (i % 4 != 0).then(|| Timestamp(at.0 - ((i + k) % 200) * DAY)),
                last_used_region: Some("us-east-1".into()),
                last_used_service: Some("s3".into()),
            });
        }
        if i % 4 == 1 {
            user.mfa_devices.push(MfaDevice {
                serial: Some(format!("arn:aws:iam::123456789012:mfa/user-{i}")),
                enable_date: None,
            });
        }
    }
    Some((world, at))
}

fn bench(c: &mut Criterion) {
    let Some((world, at)) = world() else {
        eprintln!("audit: the synthetic account does not build: skipped");
        return;
    };
    let Some(account) = world.accounts.first() else {
        return;
    };
    eprintln!(
        "audit: {} users, {} roles; {} findings; credential report {} lines",
        account.users.len(),
        account.roles.len(),
        audit::audit(&world, at).len(),
        report::generate(account, at).lines().count()
    );
    let mut group = c.benchmark_group("issue15");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("credential-report-7000", |b| {
        b.iter(|| report::generate(account, at).len())
    });
    group.bench_function("audit-7000", |b| b.iter(|| audit::audit(&world, at).len()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
