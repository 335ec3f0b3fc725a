#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// Conformance adapter: puts @cloud-copilot/iam-simulate behind the iamspec line protocol,
// version 2 (conformance/FORMAT.md in this repository, "Running"). One JSON line in per case
// `{"protocol": 2, "id", "request", "policies"}`, one JSON line out, echoing the case's id:
// `{"id": ..., "decision": ...}` or `{"id": ..., "error": ...}`.
//
// iam-simulate is AGPL-licensed. This file only *loads* it at run time from an install outside
// the repository (`cargo xtask peer-setup`); none of its code is copied here. See README.md.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PEER_PACKAGE = '@cloud-copilot/iam-simulate';
const POLICY_PACKAGE = '@cloud-copilot/iam-policy';

// ESM `import` ignores NODE_PATH, so the peer is loaded through `require`, which honours it.
// Candidate bases, first hit wins: $IAMSPEC_PEER_DIR, the default install beside the repository
// (`<repo>/../.iamspec-peer`), then plain resolution (NODE_PATH, global folders).
function loadWith(req) {
  const sim = req(PEER_PACKAGE);
  const policy = req(POLICY_PACKAGE);
  // The package does not export its package.json; find it above the resolved entry point.
  let dir = path.dirname(req.resolve(PEER_PACKAGE));
  let version = 'unknown';
  while (dir !== path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (manifest.name === PEER_PACKAGE) {
        version = manifest.version;
        break;
      }
    } catch {
      // no package.json here (or not readable): keep walking up
    }
    dir = path.dirname(dir);
  }
  return { sim, policy, version };
}

function loadPeer() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const repo = path.resolve(here, '..', '..', '..');
  const bases = [];
  if (process.env.IAMSPEC_PEER_DIR) bases.push(path.resolve(process.env.IAMSPEC_PEER_DIR));
  bases.push(path.resolve(repo, '..', '.iamspec-peer'));
  const attempts = [];
  for (const base of bases) {
    try {
      return loadWith(createRequire(path.join(base, 'package.json')));
    } catch (e) {
      attempts.push(`${base}: ${e.code ?? e.message}`);
    }
  }
  try {
    return loadWith(createRequire(import.meta.url));
  } catch (e) {
    attempts.push(`NODE_PATH=${process.env.NODE_PATH ?? ''}: ${e.code ?? e.message}`);
  }
  throw new Error(`cannot load \`${PEER_PACKAGE}\`; run \`cargo xtask peer-setup\` (tried ${attempts.join('; ')})`);
}

/** An input this adapter or the peer refuses; becomes `{"error": message}`. */
class CaseError extends Error {}

const unsupported = (what) => new CaseError(`unsupported: ${what}`);

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Principals (FORMAT.md "request.principal")

const ARN_RE = /^arn:([^:]+):([^:]*):([^:]*):([^:]*):(.*)$/s;

/**
 * Classifies the principal string into the forms FORMAT.md lists.
 * Returns { kind, partition, account, ... } or throws CaseError.
 */
function classifyPrincipal(principal) {
  if (principal === 'anonymous') return { kind: 'anonymous' };
  const m = ARN_RE.exec(principal);
  if (!m) {
    // Service principals are DNS-like names, e.g. `s3.amazonaws.com`.
    if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/i.test(principal)) return { kind: 'service', name: principal };
    throw new CaseError(`invalid principal \`${principal}\`: not an ARN, a service principal or \`anonymous\``);
  }
  const [, partition, service, , account, rest] = m;
  if (service === 'iam' && rest === 'root') return { kind: 'root', partition, account };
  if (service === 'iam' && rest.startsWith('user/')) {
    const name = rest.split('/').pop();
    return { kind: 'user', partition, account, name };
  }
  if (service === 'iam' && rest.startsWith('role/')) return { kind: 'role', partition, account, arn: principal };
  if (service === 'sts' && rest.startsWith('assumed-role/')) {
    const parts = rest.split('/');
    if (parts.length !== 3 || !parts[1] || !parts[2]) {
      throw new CaseError(`invalid principal \`${principal}\`: an assumed-role ARN is assumed-role/ROLE/SESSION`);
    }
    return { kind: 'session', partition, account, role: parts[1], session: parts[2] };
  }
  if (service === 'sts' && rest.startsWith('federated-user/')) {
    return { kind: 'federated', partition, account, name: rest.slice('federated-user/'.length) };
  }
  throw new CaseError(`invalid principal \`${principal}\`: unknown ARN form`);
}

// ---------------------------------------------------------------------------------------------
// Request context

/** FORMAT.md: values are strings or arrays of strings; numbers and booleans read as their text. */
function contextValue(key, value) {
  const scalar = (v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new CaseError(`context value of \`${key}\` must be a string, number, boolean or an array of them`);
  };
  return Array.isArray(value) ? value.map(scalar) : scalar(value);
}

/**
 * Builds the context: the case's own keys, plus the keys the documented logic derives from the
 * principal and the resource (docs/model-decisions.md D40). iam-simulate derives none of these
 * itself, and FORMAT.md puts deriving them on the evaluator, so the adapter does it; a key the case
 * sets always wins. Set IAMSPEC_PEER_NO_DERIVE=1 to pass the context through untouched.
 */
function buildContext(request, p, resourceAccount) {
  if (request.context !== undefined && !isObject(request.context)) {
    throw new CaseError('request.context must be an object');
  }
  const out = {};
  const seen = new Set();
  for (const [key, value] of Object.entries(request.context ?? {})) {
    out[key] = contextValue(key, value);
    seen.add(key.toLowerCase());
  }
  if (process.env.IAMSPEC_PEER_NO_DERIVE === '1') return out;
  const derive = (key, value) => {
    if (value === undefined || seen.has(key.toLowerCase())) return;
    out[key] = value;
    seen.add(key.toLowerCase());
  };
  const principalArn = (() => {
    switch (p.kind) {
      case 'user':
      case 'root':
      case 'federated':
        return request.principal;
      case 'role':
        // The role ARN given as the principal already carries the path.
        return request.principal_arn ?? p.arn;
      case 'session':
        return request.principal_arn ?? `arn:${p.partition}:iam::${p.account}:role/${p.role}`;
      default:
        return undefined;
    }
  })();
  const principalType = {
    root: 'Account',
    user: 'User',
    role: 'AssumedRole',
    session: 'AssumedRole',
    federated: 'FederatedUser',
    anonymous: 'Anonymous'
  }[p.kind];
  const userid = {
    root: p.account,
    federated: p.kind === 'federated' ? `${p.account}:${p.name}` : undefined,
    anonymous: 'anonymous'
  }[p.kind];
  derive('aws:PrincipalArn', principalArn);
  derive('aws:PrincipalAccount', p.account || undefined);
  derive('aws:PrincipalType', principalType);
  derive('aws:username', p.kind === 'user' ? p.name : undefined);
  derive('aws:userid', userid);
  derive('aws:PrincipalIsAWSService', p.kind === 'service' ? 'true' : 'false');
  derive('aws:PrincipalServiceName', p.kind === 'service' ? p.name : undefined);
  derive('aws:ResourceAccount', resourceAccount || undefined);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Policies (FORMAT.md "policies")

function policyList(value, field) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CaseError(`policies.${field} must be an array of policies`);
  return value;
}

function levels(value, field) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(Array.isArray)) {
    throw new CaseError(`policies.${field} must be an array of levels, each an array of policies`);
  }
  return value;
}

const statementsOf = (policy) =>
  Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement === undefined ? [] : [policy.Statement];

const isStar = (v) => v === '*' || (Array.isArray(v) && v.includes('*'));

/** Is this statement AWS's RCPFullAWSAccess allow-everything statement (or as broad)? */
function isAllowAll(statement) {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  const narrowing = ['Condition', 'NotPrincipal', 'NotAction', 'NotResource'];
  if (narrowing.some((element) => statement[element] !== undefined)) return false;
  const principalStar =
    statement.Principal === '*' || (isObject(statement.Principal) && isStar(statement.Principal.AWS));
  return principalStar && isStar(statement.Action) && isStar(statement.Resource);
}

/**
 * Session policies: the peer takes one. Several session policies form one policy set (an explicit
 * deny in any denies, an allow in any allows), which is exactly one document holding all their
 * statements, provided they share a `Version` (it decides whether policy variables are substituted,
 * D5). Each is validated alone first so that merging cannot hide a fault.
 */
function sessionPolicy(list, policyLib) {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  list.forEach((policy, i) => {
    const errors = policyLib.validateIdentityPolicy(policy);
    if (errors.length > 0) throw new CaseError(`iam-simulate: policy.errors: session[${i}]: ${brief(errors)}`);
  });
  const versions = new Set(list.map((p) => p.Version));
  // Without policy variables the Version changes nothing, so any one of them will do.
  if (versions.size !== 1 && JSON.stringify(list).includes('${')) {
    throw unsupported('several session policies with different `Version`s and policy variables');
  }
  const version = list[0].Version;
  return {
    ...(version === undefined ? {} : { Version: version }),
    Statement: list.flatMap(statementsOf)
  };
}

/**
 * FORMAT.md has cases write AWS's default RCPFullAWSAccess out on every level that has it. The peer
 * attaches it to every level by itself and, like AWS, rejects `Allow` in any other RCP
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html),
 * so the written-out allow-all statements are taken out here. A level without one cannot be
 * expressed to the peer (AWS cannot detach the default either, so such a level is a state only
 * our model can represent).
 */
function withoutDefaultRcp(level, i) {
  if (!level.some((policy) => statementsOf(policy).some(isAllowAll))) {
    throw unsupported(`rcp level ${i} has no allow-all statement; the peer always adds RCPFullAWSAccess`);
  }
  return level.flatMap((policy) => {
    const statements = statementsOf(policy);
    const kept = statements.filter((statement) => !isAllowAll(statement));
    if (kept.length === statements.length) return [policy];
    if (kept.length === 0) return [];
    return [{ ...policy, Statement: kept }];
  });
}

// ---------------------------------------------------------------------------------------------
// One case

function brief(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

function buildSimulation(input, peer) {
  if (!isObject(input)) throw new CaseError('line is not a JSON object');
  const { request, policies = {} } = input;
  if (!isObject(request)) throw new CaseError('`request` must be an object');
  if (!isObject(policies)) throw new CaseError('`policies` must be an object');
  for (const field of ['principal', 'action', 'resource']) {
    if (typeof request[field] !== 'string') throw new CaseError(`request.${field} must be a string`);
  }
  if (request.principal_arn !== undefined && typeof request.principal_arn !== 'string') {
    throw new CaseError('request.principal_arn must be a string');
  }
  if (request.resource_account !== undefined && typeof request.resource_account !== 'string') {
    throw new CaseError('request.resource_account must be a string');
  }
  // FORMAT.md: "the 12-digit account that owns the resource". The peer takes any text here, so the
  // adapter, which is where FORMAT.md requests are read, checks it (as it checks the principal).
  if (request.resource_account !== undefined && !/^[0-9]{12}$/.test(request.resource_account)) {
    throw new CaseError(`invalid resource_account \`${request.resource_account}\`: not 12 digits`);
  }
  const known = new Set(['identity', 'permission_boundary', 'session', 'resource', 'scp', 'rcp', 'vpc_endpoint']);
  for (const key of Object.keys(policies)) {
    if (!known.has(key)) throw unsupported(`policy kind \`${key}\``);
  }

  const p = classifyPrincipal(request.principal);

  // FORMAT.md: resource_account, else the ARN's account field, else the principal's account.
  const arnAccount = ARN_RE.exec(request.resource)?.[4];
  const resourceAccount = request.resource_account ?? (arnAccount || p.account || '');

  const identity = policyList(policies.identity, 'identity');
  const session = policyList(policies.session, 'session');
  const scp = levels(policies.scp, 'scp');
  const rcp = levels(policies.rcp, 'rcp');
  const boundary = policies.permission_boundary ?? undefined;

  if (p.kind === 'anonymous') {
    const given = [
      identity.length > 0 && 'identity',
      boundary !== undefined && 'permission_boundary',
      session.length > 0 && 'session',
      scp.length > 0 && 'scp'
    ].filter(Boolean);
    if (given.length > 0) {
      throw unsupported(`the peer rejects ${given.join(', ')} policies for an anonymous principal`);
    }
  }

  const rcpLevels = rcp.map(withoutDefaultRcp);

  const principal = p.kind === 'anonymous' ? peer.sim.anonymousPrincipal : request.principal;
  const sessionDoc = sessionPolicy(session, peer.policy);

  // The peer drops `aws:ResourceTag/*` and `s3:BucketTag/*` for S3 resources unless the bucket has
  // attribute-based access control turned on, because only then does S3 put the bucket's tags in
  // the request context. A case that gives such a key states that they are there.
  const s3TagKeys = Object.keys(request.context ?? {}).some((key) =>
    /^(aws:resourcetag|s3:buckettag)\//i.test(key)
  );

  return {
    request: {
      principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: buildContext(request, p, resourceAccount)
    },
    ...(s3TagKeys ? { additionalSettings: { s3: { bucketAbacEnabled: true } } } : {}),
    ...(sessionDoc === undefined ? {} : { sessionPolicy: sessionDoc }),
    identityPolicies: identity.map((policy, i) => ({ name: `identity[${i}]`, policy })),
    serviceControlPolicies: scp.map((level, i) => ({
      orgIdentifier: `scp-level-${i}`,
      policies: level.map((policy, j) => ({ name: `scp[${i}][${j}]`, policy }))
    })),
    resourceControlPolicies: rcpLevels.map((level, i) => ({
      orgIdentifier: `rcp-level-${i}`,
      policies: level.map((policy, j) => ({ name: `rcp[${i}][${j}]`, policy }))
    })),
    ...(policies.resource == null ? {} : { resourcePolicy: policies.resource }),
    ...(boundary == null ? {} : { permissionBoundaryPolicies: [{ name: 'permission_boundary', policy: boundary }] }),
    ...(policies.vpc_endpoint == null
      ? {}
      : { vpcEndpointPolicies: [{ name: 'vpc_endpoint', policy: policies.vpc_endpoint }] })
  };
}

/**
 * The path of the first object key that appears twice in one JSON object of `text` (already known
 * to be valid JSON), or undefined. `JSON.parse` keeps only the last of them, so a policy with a
 * duplicate key would reach the peer as a different, valid policy.
 */
function duplicateKey(text) {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const readString = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const readValue = (path) => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const isObject = c === '{';
      const close = isObject ? '}' : ']';
      const seen = new Set();
      i++;
      skipSpace();
      if (text[i] === close) {
        i++;
        return undefined;
      }
      for (let n = 0; ; n++) {
        let childPath = `${path}[${n}]`;
        if (isObject) {
          skipSpace();
          const key = readString();
          childPath = path === '' ? key : `${path}.${key}`;
          if (seen.has(key)) return childPath;
          seen.add(key);
          skipSpace();
          i++; // ':'
        }
        const found = readValue(childPath);
        if (found !== undefined) return found;
        skipSpace();
        const separator = text[i];
        i++;
        if (separator !== ',') return undefined;
      }
    }
    if (c === '"') {
      readString();
      return undefined;
    }
    while (i < text.length && !',]} \t\n\r'.includes(text[i])) i++;
    return undefined;
  };
  return readValue('');
}

/**
 * IAMSPEC_PEER_EXPLAIN=1: the peer's own account of a case (what it was given, the context keys it
 * dropped, its per-policy analysis) on stderr, one JSON line per case, for classifying a
 * disagreement. Standard output stays the protocol.
 */
function explain(id, simulation, result) {
  const detail = {
    id,
    request: simulation.request,
    ignoredContextKeys: result.result?.ignoredContextKeys,
    result: result.resultType === 'single' ? result.result?.analysis : result
  };
  process.stderr.write(`${JSON.stringify(detail)}\n`);
}

const DECISIONS = { Allowed: 'allow', ExplicitlyDenied: 'explicit_deny', ImplicitlyDenied: 'implicit_deny' };

/** The line protocol this adapter speaks (FORMAT.md, "Running"). */
const PROTOCOL = 2;

/** The answer to one line, carrying the case's `id` as the protocol requires. */
async function answerWithId(line, peer) {
  let id;
  try {
    id = JSON.parse(line)?.id;
  } catch {
    // not JSON: answered without an id, which the runner reports as a protocol fault
  }
  const reply = await answer(line, peer);
  return id === undefined ? reply : { id, ...reply };
}

async function answer(line, peer) {
  let input;
  try {
    input = JSON.parse(line);
  } catch (e) {
    return { error: `line is not JSON: ${e.message}` };
  }
  if (input?.protocol !== PROTOCOL) {
    // Answering would guess at a protocol we do not know: stop, saying why (the runner shows it).
    process.stderr.write(
      `iam-simulate adapter: line protocol ${JSON.stringify(input?.protocol)}; this adapter speaks ${PROTOCOL}\n`
    );
    process.exit(2);
  }
  const duplicate = duplicateKey(line);
  if (duplicate !== undefined) {
    return {
      error: `unsupported: duplicate key \`${duplicate}\`; the peer takes parsed objects, which keep only one of the two`
    };
  }
  try {
    const simulation = buildSimulation(input, peer);
    const result = await peer.sim.runSimulation(simulation, { simulationMode: 'Strict' });
    if (process.env.IAMSPEC_PEER_EXPLAIN === '1') explain(input.id, simulation, result);
    if (result.resultType === 'error') {
      const { message, ...details } = result.errors;
      const rest = Object.keys(details).length > 0 ? `: ${brief(details)}` : '';
      return { error: `iam-simulate: ${message}${rest}` };
    }
    if (result.resultType === 'wildcard') {
      // A `*` in the resource makes the peer answer "is some matching resource allowed", a
      // different question from ours (one concrete resource).
      return {
        error: `unsupported: the peer reads \`*\` in resource \`${input.request.resource}\` as a pattern (its answer: ${result.overallResult})`
      };
    }
    const decision = DECISIONS[result.overallResult];
    if (decision === undefined) return { error: `iam-simulate: unknown result \`${result.overallResult}\`` };
    return { decision };
  } catch (e) {
    if (e instanceof CaseError) return { error: e.message };
    return { error: `iam-simulate threw: ${e?.message ?? String(e)}` };
  }
}

async function main() {
  let peer;
  try {
    peer = loadPeer();
  } catch (e) {
    process.stderr.write(`iam-simulate adapter: ${e.message}\n`);
    process.exit(2);
  }
  if (process.argv.includes('--version')) {
    process.stdout.write(`${PEER_PACKAGE} ${peer.version}\n`);
    return;
  }
  // The runner closing its end early is not our failure.
  process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    // The runner never sends blank lines; answering one would shift every later answer.
    if (line.trim() === '') continue;
    const reply = await answerWithId(line, peer);
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`iam-simulate adapter: ${e?.stack ?? e}\n`);
  process.exit(1);
});
