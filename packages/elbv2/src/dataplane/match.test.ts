/** Rule conditions and redirects as an ALB evaluates them. */
import { conditionMatches, redirectLocation, ruleMatches, wildcard, type RequestFacts } from './match';

const req = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'GET',
  host: 'api.example.com',
  path: '/v1/users/42',
  query: new URLSearchParams('version=2&Debug=TRUE'),
  headers: { 'user-agent': 'curl/8.0', 'x-env': 'beta' },
  sourceIp: '::ffff:10.1.2.3',
  ...over,
});

test('wildcards: * is any run, ? exactly one character, the rest literal', () => {
  expect(wildcard('/v1/*', '/v1/users/42', false)).toBe(true);
  expect(wildcard('/v?/users', '/v1/users', false)).toBe(true);
  expect(wildcard('/v?/users', '/v10/users', false)).toBe(false);
  expect(wildcard('/a.b', '/axb', false)).toBe(false);
  expect(wildcard('*.EXAMPLE.com', 'api.example.com', true)).toBe(true);
});

test('path-pattern is case-sensitive and ignores the query; host-header is not', () => {
  expect(conditionMatches({ Field: 'path-pattern', Values: ['/V1/*'] }, req())).toBe(false);
  expect(conditionMatches({ Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/*'] } }, req())).toBe(true);
  expect(conditionMatches({ Field: 'host-header', Values: ['API.example.com'] }, req())).toBe(true);
  expect(conditionMatches({ Field: 'host-header', HostHeaderConfig: { Values: ['web.*', 'api.*'] } }, req())).toBe(
    true,
  );
});

test('http-header, http-request-method, query-string and source-ip', () => {
  expect(
    conditionMatches({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['BE*'] } }, req()),
  ).toBe(true);
  expect(
    conditionMatches({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Other', Values: ['*'] } }, req()),
  ).toBe(false);
  expect(
    conditionMatches({ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'HEAD'] } }, req()),
  ).toBe(true);
  expect(conditionMatches({ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }, req())).toBe(
    false,
  );
  expect(
    conditionMatches({ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: '2' }] } }, req()),
  ).toBe(true);
  expect(conditionMatches({ Field: 'query-string', QueryStringConfig: { Values: [{ Value: 'true' }] } }, req())).toBe(
    true,
  );
  expect(
    conditionMatches({ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: '3' }] } }, req()),
  ).toBe(false);
  expect(conditionMatches({ Field: 'source-ip', SourceIpConfig: { Values: ['10.1.0.0/16'] } }, req())).toBe(true);
  expect(conditionMatches({ Field: 'source-ip', SourceIpConfig: { Values: ['192.168.0.0/16'] } }, req())).toBe(false);
  expect(
    conditionMatches({ Field: 'source-ip', SourceIpConfig: { Values: ['::1/128'] } }, req({ sourceIp: '::1' })),
  ).toBe(true);
});

test('all conditions of a rule must match; a rule without conditions always does', () => {
  const both = [
    { Field: 'path-pattern', Values: ['/v1/*'] },
    { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST'] } },
  ];
  expect(ruleMatches(both, req())).toBe(false);
  expect(ruleMatches(both, req({ method: 'POST' }))).toBe(true);
  expect(ruleMatches([], req())).toBe(true);
});

test('redirect: unspecified parts keep the request; #{...} placeholders; default ports are left out', () => {
  const from = { protocol: 'HTTP' as const, host: 'shop.example.com', port: 80, path: '/old/a', query: 'q=1' };
  expect(redirectLocation({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }, from)).toBe(
    'https://shop.example.com/old/a?q=1',
  );
  expect(redirectLocation({ Path: '/new/#{path}', Query: 'from=#{host}', StatusCode: 'HTTP_302' }, from)).toBe(
    'http://shop.example.com/new/old/a?from=shop.example.com',
  );
  expect(redirectLocation({ Host: 'other.example.com', Port: '8080', StatusCode: 'HTTP_302' }, from)).toBe(
    'http://other.example.com:8080/old/a?q=1',
  );
});
