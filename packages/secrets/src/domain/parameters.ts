/** Parameter Store as the domain sees it: names, selectors, versions, views, filters. */
import { createCipheriv, createHash } from 'node:crypto';
import type * as SSM from '@aws-sdk/client-ssm';
import { ServiceError, type RequestContext } from '@dockside/core';
import { parameterNotFound, validation } from '../errors';
import type { ParameterRecord, ParameterVersion } from '../state/types';

export const DEFAULT_KEY = 'alias/aws/ssm';
export const REFERENCE = '/aws/reference/secretsmanager/';
export const PARAMETER_NAME = /^[a-zA-Z0-9_.\-/]+$/;
export const LABEL = /^[a-zA-Z0-9_.-]{1,100}$/;
export const MAX_VERSIONS = 100;

/** `name`, `name:version`, `name:label`, or the parameter's ARN with the same selectors. */
export function parseParameterRef(ref: string): { name: string; selector?: string } {
  if (ref.startsWith('arn:')) {
    const m = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:parameter\/(.+)$/.exec(ref);
    if (!m) return { name: ref };
    const [base, selector] = splitSelector(m[1]);
    return { name: base.includes('/') ? `/${base}` : base, ...(selector !== undefined ? { selector } : {}) };
  }
  const [name, selector] = splitSelector(ref);
  return { name, ...(selector !== undefined ? { selector } : {}) };
}

export function splitSelector(s: string): [string, string | undefined] {
  const at = s.lastIndexOf(':');
  return at > 0 ? [s.slice(0, at), s.slice(at + 1)] : [s, undefined];
}

export const parameterArn = (ctx: Pick<RequestContext, 'region' | 'accountId'>, name: string) =>
  `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter/${name.replace(/^\//, '')}`;

export function checkName(name: string) {
  if (!name || name.length > 1011) throw validation('Parameter name must be between 1 and 1011 characters.');
  if (name.includes('/') && !name.startsWith('/')) throw validation('Parameter name must be a fully qualified name.');
  const first = name.replace(/^\//, '').toLowerCase();
  if (!PARAMETER_NAME.test(name) || first.startsWith('aws') || first.startsWith('ssm') || name.includes('//')) {
    throw validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  }
  if (name.split('/').filter(Boolean).length > 15) {
    throw new ServiceError('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.');
  }
}

/** What a SecureString looks like without WithDecryption: opaque ciphertext, stable per version. */
export function ciphertext(p: ParameterRecord, v: ParameterVersion): string {
  const key = createHash('sha256')
    .update(`dockside:${v.keyId ?? DEFAULT_KEY}`)
    .digest();
  const iv = createHash('sha256').update(`${p.arn}:${v.version}`).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(v.value, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([1, 2, 2, 0]), iv, cipher.getAuthTag(), body]).toString('base64');
}

export const valueOf = (p: ParameterRecord, v: ParameterVersion, decrypt: boolean | undefined) =>
  v.type === 'SecureString' && !decrypt ? ciphertext(p, v) : v.value;

export function versionBySelector(p: ParameterRecord, selector: string | undefined, ref: string): ParameterVersion {
  const current = p.history[p.history.length - 1];
  if (selector === undefined) return current;
  if (/^\d+$/.test(selector)) {
    const v = p.history.find((x) => x.version === Number(selector));
    if (!v)
      throw new ServiceError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${selector} of ${p.name}. Verify the version and try again.`,
      );
    return v;
  }
  const v = p.history.find((x) => x.labels.includes(selector));
  if (!v) throw parameterNotFound(ref);
  return v;
}

export function parameterView(
  p: ParameterRecord,
  v: ParameterVersion,
  decrypt: boolean | undefined,
  selector?: string,
): SSM.Parameter {
  return {
    Name: p.name,
    Type: v.type,
    Value: valueOf(p, v, decrypt),
    Version: v.version,
    ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
    LastModifiedDate: v.lastModifiedDate,
    ARN: p.arn,
    DataType: v.dataType,
  };
}

export function metadataView(p: ParameterRecord): SSM.ParameterMetadata {
  const v = p.history[p.history.length - 1];
  return {
    Name: p.name,
    ARN: p.arn,
    Type: v.type,
    ...(v.type === 'SecureString' ? { KeyId: v.keyId ?? DEFAULT_KEY } : {}),
    LastModifiedDate: v.lastModifiedDate,
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier as SSM.ParameterTier,
    // Policies are accepted, not applied; an empty list is left out, as AWS does.
    ...(v.policies.length ? { Policies: v.policies.map((p) => ({ PolicyText: p })) } : {}),
    DataType: v.dataType,
  };
}

export type ParameterFilter = { Key?: string; Option?: string; Values?: string[] };

/** ParameterStringFilter semantics (DescribeParameters and, for a subset of keys, GetParametersByPath). */
export function filterMatches(p: ParameterRecord, f: ParameterFilter): boolean {
  const v = p.history[p.history.length - 1];
  const key = f.Key ?? '';
  const values = f.Values ?? [];
  const option = f.Option ?? (key === 'Path' ? 'OneLevel' : 'Equals');
  if (key.startsWith('tag:')) {
    const tag = p.tags.find((t) => t.Key === key.slice(4));
    return Boolean(tag) && (!values.length || values.includes(tag!.Value));
  }
  const attr = (): string[] => {
    switch (key) {
      case 'Name':
        return [p.name];
      case 'Type':
        return [v.type];
      case 'KeyId':
        return v.type === 'SecureString' ? [v.keyId ?? DEFAULT_KEY] : [];
      case 'Tier':
        return [v.tier];
      case 'DataType':
        return [v.dataType];
      case 'Label':
        return p.history.flatMap((h) => h.labels);
      default:
        return [];
    }
  };
  if (key === 'Path') return values.some((path) => underPath(p.name, path, option === 'Recursive'));
  const have = attr();
  return values.some((want) =>
    have.some((h) => {
      if (option === 'BeginsWith')
        return h.startsWith(want) || (key === 'Name' && h.startsWith(`/${want.replace(/^\//, '')}`));
      if (option === 'Contains') return h.includes(want);
      return h === want || (key === 'Name' && h.replace(/^\//, '') === want.replace(/^\//, ''));
    }),
  );
}

export const FILTER_OPTIONS: Record<string, string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Path: ['Recursive', 'OneLevel'],
  Type: ['Equals', 'BeginsWith'],
  KeyId: ['Equals', 'BeginsWith'],
  Tier: ['Equals'],
  DataType: ['Equals'],
  Label: ['Equals'],
};

export const PATH_REQUIREMENTS =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

/** A path as GetParametersByPath and the Path filter take it: `/`, or `/a/b` of valid segments. */
export const validPath = (path: string) =>
  path === '/' || (/^(\/[a-zA-Z0-9_.-]+)+\/?$/.test(path) && path.split('/').filter(Boolean).length <= 15);

const FILTER_VALUES: Record<string, string[]> = {
  Type: ['String', 'StringList', 'SecureString'],
  Tier: ['Standard', 'Advanced', 'Intelligent-Tiering'],
};

/**
 * ParameterFilters checked before anything is read, with AWS's codes and messages: the keys an
 * operation takes (`shown` is the list AWS's message names), values present, no key twice, the
 * options of each key, valid paths not under `/aws` or `/ssm`, and the values of Type and Tier.
 */
export function checkFilters(filters: ParameterFilter[], allowedKeys: string[], shown: string[] = allowedKeys) {
  const seen = new Set<string>();
  for (const f of filters) {
    const key = f.Key ?? '';
    const base = key.startsWith('tag:') ? 'tag' : key;
    if (!allowedKeys.includes(base)) {
      throw new ServiceError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${key}. Valid filter keys include: [${shown.join(', ')}].`,
      );
    }
    const values = f.Values ?? [];
    if (base !== 'tag' && !values.length)
      throw new ServiceError(
        'InvalidFilterValue',
        `The following filter values are missing : null for filter key ${key}.`,
      );
    if (seen.has(key)) {
      throw new ServiceError(
        'InvalidFilterKey',
        `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`,
      );
    }
    seen.add(key);
    if (f.Option !== undefined && base !== 'tag' && !FILTER_OPTIONS[base].includes(f.Option)) {
      throw new ServiceError(
        'InvalidFilterOption',
        `The following filter option is not valid: ${f.Option}. Valid options include: [${FILTER_OPTIONS[base].join(', ')}].`,
      );
    }
    if (base === 'Path') {
      if (values.some((v) => /^\/?(aws|ssm)/i.test(v))) {
        throw validation(
          'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.',
        );
      }
      if (values.some((v) => !validPath(v))) throw validation(PATH_REQUIREMENTS);
    }
    const allowedValues = FILTER_VALUES[base];
    const bad = allowedValues && values.find((v) => !allowedValues.includes(v));
    if (bad !== undefined && allowedValues) {
      throw new ServiceError(
        'InvalidFilterValue',
        `The following filter value is not valid: ${bad}. Valid values include: [${allowedValues.join(', ')}].`,
      );
    }
  }
}

/**
 * The key a parameter is stored under: a root-level parameter is the same parameter with or
 * without its leading slash (`/name` and `name`), as on AWS; deeper names are kept as they are.
 */
export const parameterKey = (name: string) => (/^\/[^/]+$/.test(name) ? name.slice(1) : name);

export function underPath(name: string, path: string, recursive: boolean): boolean {
  // Root-level names may be stored without their slash; they are under `/` all the same.
  if (!name.startsWith('/') && !name.includes('/')) name = `/${name}`;
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}
