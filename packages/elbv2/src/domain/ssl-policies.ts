/** ELB's predefined security policies (a representative set with their protocols and ciphers). */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const ECDHE_GCM = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];
const ECDHE_CBC = [
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
];
const ECDHE_SHA1 = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES256-SHA'];
const RSA = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA'];

function policy(Name: string, SslProtocols: string[], ciphers: string[]): ELB.SslPolicy {
  return {
    Name,
    SslProtocols,
    Ciphers: ciphers.map((c, i) => ({ Name: c, Priority: i + 1 })),
    SupportedLoadBalancerTypes: ['application', 'network'],
  };
}

export const SSL_POLICIES: ELB.SslPolicy[] = [
  policy(
    'ELBSecurityPolicy-2016-08',
    ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
    [...ECDHE_GCM, ...ECDHE_CBC, ...ECDHE_SHA1, ...RSA],
  ),
  policy(
    'ELBSecurityPolicy-TLS-1-1-2017-01',
    ['TLSv1.1', 'TLSv1.2'],
    [...ECDHE_GCM, ...ECDHE_CBC, ...ECDHE_SHA1, ...RSA],
  ),
  policy(
    'ELBSecurityPolicy-TLS-1-2-2017-01',
    ['TLSv1.2'],
    [...ECDHE_GCM, ...ECDHE_CBC, ...RSA.filter((c) => !c.endsWith('-SHA'))],
  ),
  policy('ELBSecurityPolicy-TLS-1-2-Ext-2018-06', ['TLSv1.2'], [...ECDHE_GCM, ...ECDHE_CBC, ...ECDHE_SHA1, ...RSA]),
  policy('ELBSecurityPolicy-FS-1-2-Res-2020-10', ['TLSv1.2'], ECDHE_GCM),
  policy('ELBSecurityPolicy-TLS13-1-2-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13, ...ECDHE_GCM, ...ECDHE_CBC]),
  policy('ELBSecurityPolicy-TLS13-1-2-Res-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13, ...ECDHE_GCM]),
  policy('ELBSecurityPolicy-TLS13-1-3-2021-06', ['TLSv1.3'], TLS13),
  policy('ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09', ['TLSv1.2', 'TLSv1.3'], [...TLS13, ...ECDHE_GCM]),
];

/** The lowest TLS version a policy allows, as Node names it (`TLSv1.2`). */
export function minTlsVersion(name: string | undefined): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' {
  const p = SSL_POLICIES.find((x) => x.Name === name) ?? SSL_POLICIES[0];
  return p.SslProtocols![0] as 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}
