/** Rule conditions evaluated against a request, as an ALB evaluates them. Pure functions. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { BlockList, isIPv4 } from 'node:net';

export interface RequestFacts {
  method: string;
  /** Host header without its port. */
  host: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  sourceIp: string;
}

const cache = new Map<string, RegExp>();

/** `*` (any run of characters) and `?` (exactly one) wildcards; everything else literal. */
export function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    if (cache.size > 5000) cache.clear();
    cache.set(key, re);
  }
  return re.test(value);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const addr = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  const list = new BlockList();
  try {
    const type = isIPv4(net) ? 'ipv4' : 'ipv6';
    list.addSubnet(net, Number(bits), type);
    return list.check(addr, isIPv4(addr) ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
}

function headerValues(h: string | string[] | undefined): string[] {
  if (h === undefined) return [];
  return Array.isArray(h) ? h : [h];
}

/** One condition; values inside a condition are ORed. */
export function conditionMatches(c: ELB.RuleCondition, r: RequestFacts): boolean {
  switch (c.Field) {
    case 'host-header':
      return (c.HostHeaderConfig?.Values ?? c.Values ?? []).some((v) => wildcard(v, r.host, true));
    case 'path-pattern':
      return (c.PathPatternConfig?.Values ?? c.Values ?? []).some((v) => wildcard(v, r.path, false));
    case 'http-header': {
      const got = headerValues(r.headers[(c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase()]);
      return (c.HttpHeaderConfig?.Values ?? []).some((v) => got.some((g) => wildcard(v, g, true)));
    }
    case 'http-request-method':
      return (c.HttpRequestMethodConfig?.Values ?? []).includes(r.method);
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).some((kv) =>
        [...r.query.entries()].some(
          ([k, v]) => (kv.Key === undefined || wildcard(kv.Key, k, true)) && wildcard(kv.Value ?? '', v, true),
        ),
      );
    case 'source-ip':
      return (c.SourceIpConfig?.Values ?? []).some((cidr) => inCidr(r.sourceIp, cidr));
    default:
      return false;
  }
}

/** All conditions of a rule must match (the default rule has none and always matches). */
export const ruleMatches = (conditions: ELB.RuleCondition[], r: RequestFacts) =>
  conditions.every((c) => conditionMatches(c, r));

/** The URL a redirect action sends to: each part the config leaves out keeps the request's. */
export function redirectLocation(
  c: ELB.RedirectActionConfig,
  req: { protocol: 'HTTP' | 'HTTPS'; host: string; port: number; path: string; query: string },
): string {
  const fill = (tpl: string) =>
    tpl
      .replace(/#\{protocol\}/g, req.protocol)
      .replace(/#\{host\}/g, req.host)
      .replace(/#\{port\}/g, String(req.port))
      .replace(/#\{path\}/g, req.path.replace(/^\//, ''))
      .replace(/#\{query\}/g, req.query);
  const protocol = fill(c.Protocol ?? '#{protocol}').toLowerCase();
  const host = fill(c.Host ?? '#{host}');
  const port = fill(c.Port ?? '#{port}');
  const path = c.Path ? fill(c.Path) : req.path;
  const query = fill(c.Query ?? '#{query}');
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  return `${protocol}://${host}${defaultPort ? '' : `:${port}`}${path.startsWith('/') ? path : `/${path}`}${query ? `?${query}` : ''}`;
}
