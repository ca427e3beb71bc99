import { type SecretsCall, parseValueFrom, resolveTaskSecrets } from './secrets';

const SM = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';

describe('parseValueFrom', () => {
  it.each([
    [SM, { kind: 'asm', secretId: SM, region: 'eu-west-1' }],
    [`${SM}:password::`, { kind: 'asm', secretId: SM, region: 'eu-west-1', jsonKey: 'password' }],
    [`${SM}::AWSPREVIOUS:`, { kind: 'asm', secretId: SM, region: 'eu-west-1', versionStage: 'AWSPREVIOUS' }],
    [
      `${SM}:k::0f1e2d3c-aaaa-bbbb-cccc-123456789012`,
      {
        kind: 'asm',
        secretId: SM,
        region: 'eu-west-1',
        jsonKey: 'k',
        versionId: '0f1e2d3c-aaaa-bbbb-cccc-123456789012',
      },
    ],
    [
      'arn:aws:ssm:us-west-2:123456789012:parameter/a/b',
      { kind: 'ssm', name: 'arn:aws:ssm:us-west-2:123456789012:parameter/a/b', region: 'us-west-2' },
    ],
    ['/a/b', { kind: 'ssm', name: '/a/b', region: 'us-east-1' }],
    ['plain-name', { kind: 'ssm', name: 'plain-name', region: 'us-east-1' }],
  ])('%s', (valueFrom, expected) => expect(parseValueFrom(valueFrom, 'us-east-1')).toEqual(expected));
});

describe('resolveTaskSecrets', () => {
  it('asks Parameter Store per region in batches of at most 10 and fetches each secret once', async () => {
    const calls: [string, string, unknown, string][] = [];
    const call = (async (service: string, op: string, input: unknown, region: string) => {
      calls.push([service, op, input, region]);
      if (service === 'ssm') {
        const names = (input as { Names: string[] }).Names;
        return { Parameters: names.map((n) => ({ Name: n, Value: `v:${n}` })), InvalidParameters: [] };
      }
      return { SecretString: JSON.stringify({ password: 'p' }) };
    }) as SecretsCall;
    const names = Array.from({ length: 12 }, (_, i) => `/p${i}`);
    const out = await resolveTaskSecrets(
      [
        {
          name: 'a',
          secrets: [
            ...names.map((n) => ({ name: n.slice(1), valueFrom: n })),
            { name: 'X', valueFrom: `${SM}:password::` },
          ],
        },
        { name: 'b', secrets: [{ name: 'Y', valueFrom: `${SM}:password::` }] },
      ],
      'us-east-1',
      call,
    );
    expect(calls.filter((c) => c[0] === 'ssm').map((c) => (c[2] as { Names: string[] }).Names.length)).toEqual([10, 2]);
    expect(calls.filter((c) => c[0] === 'secretsmanager')).toEqual([
      ['secretsmanager', 'GetSecretValue', { SecretId: SM }, 'eu-west-1'],
    ]);
    expect(out.env.get('a')).toMatchObject({ p0: 'v:/p0', p11: 'v:/p11', X: 'p' });
    expect(out.env.get('b')).toEqual({ Y: 'p' });
  });
});
