/**
 * What the ECS agent does before pulling images: fetch `secrets`, `logConfiguration.secretOptions`
 * and `repositoryCredentials` from Secrets Manager and Parameter Store (here: bus calls to the
 * secrets plugin), failing the task with ECS's ResourceInitializationError when one is missing.
 * Values only ever live in memory for the container's creation; they are never logged.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import { isServiceNotLoaded, type RegionalCall } from '@dockside/core';
import type {} from '@dockside/secrets';

/** Calls a service through the bus in an account and region; rejects with the service's error. */
/** Secrets Manager and Parameter Store, through the secrets plugin's contract, in the task's account. */
export type SecretsCall = RegionalCall<'secretsmanager' | 'ssm'>;

export type SecretRef =
  | { kind: 'asm'; secretId: string; region: string; jsonKey?: string; versionStage?: string; versionId?: string }
  | { kind: 'ssm'; name: string; region: string };

export interface ResolvedSecrets {
  /** Per container: environment variables from `secrets`. */
  env: Map<string, Record<string, string>>;
  /** Per container: log driver options from `secretOptions`. */
  logOptions: Map<string, Record<string, string>>;
  /** Per container: registry credentials from `repositoryCredentials`. */
  registryAuth: Map<string, { username: string; password: string }>;
}

export class SecretResolutionError extends Error {}

const PREFIX =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed';

/** Parses `valueFrom`: a Secrets Manager ARN with optional `:json-key:version-stage:version-id`, an SSM ARN, or an SSM name. */
export function parseValueFrom(valueFrom: string, taskRegion: string): SecretRef {
  const parts = valueFrom.split(':');
  if (parts[0] === 'arn' && parts[2] === 'secretsmanager' && parts[5] === 'secret') {
    const [jsonKey, versionStage, versionId] = parts.slice(7);
    return {
      kind: 'asm',
      secretId: parts.slice(0, 7).join(':'),
      region: parts[3] || taskRegion,
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    };
  }
  if (parts[0] === 'arn' && parts[2] === 'ssm') return { kind: 'ssm', name: valueFrom, region: parts[3] || taskRegion };
  return { kind: 'ssm', name: valueFrom, region: taskRegion };
}

/** The failure as the agent words it: `Code: message`, or a request error when the plugin is absent. */
function errorText(e: unknown): string {
  if (isServiceNotLoaded(e))
    return 'RequestError: send request failed caused by: the secrets plugin is not loaded in this Dockside (add secrets to --services)';
  const code = (e as { code?: string }).code;
  return code ? `${code}: ${(e as Error).message}` : (e as Error).message;
}

/** One Secrets Manager value, narrowed to its JSON key when asked. */
async function fetchAsm(ref: Extract<SecretRef, { kind: 'asm' }>, call: SecretsCall): Promise<string> {
  let out: { SecretString?: string; SecretBinary?: string };
  try {
    out = (await call(
      'secretsmanager',
      'GetSecretValue',
      {
        SecretId: ref.secretId,
        ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}),
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      },
      ref.region,
    )) as typeof out;
  } catch (e) {
    throw new SecretResolutionError(
      `${PREFIX}: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${ref.secretId} from secrets manager: ${errorText(e)}`,
    );
  }
  const text =
    out.SecretString ??
    (out.SecretBinary !== undefined ? Buffer.from(out.SecretBinary, 'base64').toString('utf8') : '');
  if (!ref.jsonKey) return text;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SecretResolutionError(
      `${PREFIX}: unable to retrieve secret from asm: service call has been retried 1 time(s): secret ${ref.secretId} is not a JSON object, so it has no json key ${ref.jsonKey}`,
    );
  }
  const value = (doc as Record<string, unknown>)[ref.jsonKey];
  if (value === undefined) {
    throw new SecretResolutionError(
      `${PREFIX}: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`,
    );
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `name[:selector]` for a parameter name or ARN (`…:parameter/a/b` names `/a/b`). */
function canonicalParameter(ref: string): string {
  const m = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:parameter\/(.+)$/.exec(ref);
  if (!m) return ref;
  return m[1].includes('/') ? `/${m[1]}` : m[1];
}

/** Parameter Store values, fetched per region in batches of 10 as the agent does. */
async function fetchSsm(refs: Extract<SecretRef, { kind: 'ssm' }>[], call: SecretsCall): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const byRegion = new Map<string, string[]>();
  for (const r of refs) {
    const names = byRegion.get(r.region) ?? [];
    if (!names.includes(r.name)) names.push(r.name);
    byRegion.set(r.region, names);
  }
  for (const [region, names] of byRegion) {
    for (let i = 0; i < names.length; i += 10) {
      const batch = names.slice(i, i + 10);
      let out: {
        Parameters?: { Name?: string; ARN?: string; Value?: string; Selector?: string }[];
        InvalidParameters?: string[];
      };
      try {
        out = (await call('ssm', 'GetParameters', { Names: batch, WithDecryption: true }, region)) as typeof out;
      } catch (e) {
        throw new SecretResolutionError(
          `${PREFIX}: unable to retrieve secrets from ssm: service call has been retried 1 time(s): ${errorText(e)}`,
        );
      }
      if (out.InvalidParameters?.length) {
        throw new SecretResolutionError(
          `${PREFIX}: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${out.InvalidParameters.join(' ')}`,
        );
      }
      const found = new Map((out.Parameters ?? []).map((p) => [`${p.Name}${p.Selector ?? ''}`, p.Value ?? '']));
      for (const n of batch) values.set(`${region}\u0000${n}`, found.get(canonicalParameter(n)) ?? '');
    }
  }
  return values;
}

/** Everything a task's containers need from secret stores, or a SecretResolutionError. */
export async function resolveTaskSecrets(
  defs: ECS.ContainerDefinition[],
  taskRegion: string,
  call: SecretsCall,
): Promise<ResolvedSecrets> {
  const resolved: ResolvedSecrets = { env: new Map(), logOptions: new Map(), registryAuth: new Map() };
  const wanted: { container: string; target: 'env' | 'log'; name: string; ref: SecretRef }[] = [];
  for (const d of defs) {
    for (const s of d.secrets ?? [])
      wanted.push({ container: d.name!, target: 'env', name: s.name!, ref: parseValueFrom(s.valueFrom!, taskRegion) });
    for (const s of d.logConfiguration?.secretOptions ?? [])
      wanted.push({ container: d.name!, target: 'log', name: s.name!, ref: parseValueFrom(s.valueFrom!, taskRegion) });
  }
  const ssmRefs = wanted.map((w) => w.ref).filter((r): r is Extract<SecretRef, { kind: 'ssm' }> => r.kind === 'ssm');
  const ssmValues = ssmRefs.length ? await fetchSsm(ssmRefs, call) : new Map<string, string>();
  const asmCache = new Map<string, Promise<string>>();
  for (const w of wanted) {
    let value: string;
    if (w.ref.kind === 'ssm') {
      value = ssmValues.get(`${w.ref.region}\u0000${w.ref.name}`) ?? '';
    } else {
      const key = JSON.stringify(w.ref);
      if (!asmCache.has(key)) asmCache.set(key, fetchAsm(w.ref, call));
      value = await asmCache.get(key)!;
    }
    const map = w.target === 'env' ? resolved.env : resolved.logOptions;
    map.set(w.container, { ...map.get(w.container), [w.name]: value });
  }
  for (const d of defs) {
    const param = d.repositoryCredentials?.credentialsParameter;
    if (!param) continue;
    const ref = parseValueFrom(param, taskRegion);
    const failed = (why: string) =>
      new SecretResolutionError(
        `${PREFIX}: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for ${param}: ${why}`,
      );
    if (ref.kind !== 'asm') throw failed('credentialsParameter must be the ARN of a Secrets Manager secret');
    let text: string;
    try {
      text = await fetchAsm(ref, call);
    } catch (e) {
      throw failed((e as Error).message.replace(/^.*from secrets manager: /, ''));
    }
    let creds: { username?: unknown; password?: unknown } = {};
    try {
      creds = JSON.parse(text);
    } catch {
      /* answered below */
    }
    if (typeof creds?.username !== 'string' || typeof creds?.password !== 'string') {
      throw failed('the secret must be JSON with "username" and "password" keys');
    }
    resolved.registryAuth.set(d.name!, { username: creds.username, password: creds.password });
  }
  return resolved;
}

/** Whether a task definition asks for anything from a secret store. */
export const needsSecrets = (defs: ECS.ContainerDefinition[]) =>
  defs.some(
    (d) =>
      d.secrets?.length || d.logConfiguration?.secretOptions?.length || d.repositoryCredentials?.credentialsParameter,
  );
