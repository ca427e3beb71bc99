/** SSM Parameter Store through @aws-sdk/client-ssm against a real gateway. */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  InvalidFilterKey,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterPatternMismatchException,
  ParameterVersionNotFound,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
  paginateGetParametersByPath,
} from '@aws-sdk/client-ssm';
import { secrets } from '@dockside/secrets';
import { startTestGateway, type TestGateway } from '@dockside/testing';

let t: TestGateway;
let ssm: SSMClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [secrets()] });
  ssm = t.client(SSMClient);
});
afterAll(() => t.stop());

const put = (Name: string, Value: string, extra: object = {}) =>
  ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

describe('put and get', () => {
  it('versions a parameter on overwrite and refuses a second put without Overwrite', async () => {
    expect(await put('/app/url', 'http://a')).toEqual(expect.objectContaining({ Version: 1, Tier: 'Standard' }));
    const err = await put('/app/url', 'http://b').catch((e) => e);
    expect(err).toBeInstanceOf(ParameterAlreadyExists);
    expect((await put('/app/url', 'http://b', { Overwrite: true })).Version).toBe(2);
    const p = (await ssm.send(new GetParameterCommand({ Name: '/app/url' }))).Parameter!;
    expect(p).toMatchObject({
      Name: '/app/url',
      Type: 'String',
      Value: 'http://b',
      Version: 2,
      DataType: 'text',
      ARN: `arn:aws:ssm:${t.region}:000000000000:parameter/app/url`,
    });
    expect(p.LastModifiedDate).toBeInstanceOf(Date);
    // By ARN, by version, by label.
    expect((await ssm.send(new GetParameterCommand({ Name: p.ARN }))).Parameter!.Value).toBe('http://b');
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/url:1' }))).Parameter).toMatchObject({
      Value: 'http://a',
      Version: 1,
      Selector: ':1',
    });
    await expect(ssm.send(new GetParameterCommand({ Name: '/app/url:9' }))).rejects.toBeInstanceOf(
      ParameterVersionNotFound,
    );
    await expect(ssm.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('encrypts SecureString unless WithDecryption, recording the KeyId', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: '/app/secret', Value: 's3cr3t', Type: 'SecureString', KeyId: 'alias/custom' }),
    );
    const hidden = (await ssm.send(new GetParameterCommand({ Name: '/app/secret' }))).Parameter!;
    expect(hidden.Type).toBe('SecureString');
    expect(hidden.Value).not.toContain('s3cr3t');
    expect(Buffer.from(hidden.Value!, 'base64').toString('latin1')).not.toContain('s3cr3t');
    expect(
      (await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }))).Parameter!.Value,
    ).toBe('s3cr3t');
    const meta = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/secret'] }] }),
    );
    expect(meta.Parameters![0]).toMatchObject({ Type: 'SecureString', KeyId: 'alias/custom' });
    await expect(put('/app/plain', 'x', { KeyId: 'alias/custom' })).rejects.toThrow(
      'KeyId is required for SecureString type parameter only.',
    );
  });

  it('StringList, AllowedPattern, tiers, DataType, and name rules', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'list', Value: 'a,b,c', Type: 'StringList' }));
    expect((await ssm.send(new GetParameterCommand({ Name: 'list' }))).Parameter).toMatchObject({
      Type: 'StringList',
      Value: 'a,b,c',
      ARN: `arn:aws:ssm:${t.region}:000000000000:parameter/list`,
    });
    await expect(put('/num', 'abc', { AllowedPattern: '^\\d+$' })).rejects.toBeInstanceOf(
      ParameterPatternMismatchException,
    );
    await put('/num', '42', { AllowedPattern: '^\\d+$' });
    await expect(put('/num', 'x', { Overwrite: true })).rejects.toBeInstanceOf(ParameterPatternMismatchException);
    await expect(put('/big', 'x'.repeat(5000))).rejects.toThrow(/Standard tier parameters support a maximum/);
    expect((await put('/big', 'x'.repeat(5000), { Tier: 'Advanced' })).Tier).toBe('Advanced');
    expect((await put('/smart', 'x'.repeat(5000), { Tier: 'Intelligent-Tiering' })).Tier).toBe('Advanced');
    await expect(put('/ami', 'not-an-ami', { DataType: 'aws:ec2:image' })).rejects.toThrow(/AMI/);
    await put('/ami', 'ami-0123456789abcdef0', { DataType: 'aws:ec2:image' });
    await expect(put('/aws/mine', 'x')).rejects.toThrow(/can't be prefixed with "aws" or "ssm"/);
    await expect(put('a/b', 'x')).rejects.toThrow('Parameter name must be a fully qualified name.');
    await expect(ssm.send(new PutParameterCommand({ Name: '/untyped', Value: 'x' }))).rejects.toThrow(
      'A parameter type is required when you create a parameter.',
    );
    await expect(put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, 'x')).rejects.toThrow(/15 levels/);
  });

  it('GetParameters answers found and invalid names together', async () => {
    const r = await ssm.send(
      new GetParametersCommand({ Names: ['/app/url', '/missing', '/app/url:1', '/app/secret'], WithDecryption: true }),
    );
    expect(r.Parameters!.map((p) => [p.Name, p.Value])).toEqual([
      ['/app/url', 'http://b'],
      ['/app/url', 'http://a'],
      ['/app/secret', 's3cr3t'],
    ]);
    expect(r.InvalidParameters).toEqual(['/missing']);
  });
});

describe('history and labels', () => {
  it('labels versions, moves a label between versions, reads by label, and shows history', async () => {
    for (const v of ['one', 'two', 'three']) await put('/hist', v, { Overwrite: true });
    const l = await ssm.send(
      new LabelParameterVersionCommand({ Name: '/hist', ParameterVersion: 1, Labels: ['stable', '1bad', 'awsx'] }),
    );
    expect(l).toMatchObject({ ParameterVersion: 1, InvalidLabels: ['1bad', 'awsx'] });
    expect((await ssm.send(new GetParameterCommand({ Name: '/hist:stable' }))).Parameter).toMatchObject({
      Value: 'one',
      Selector: ':stable',
    });
    await ssm.send(new LabelParameterVersionCommand({ Name: '/hist', Labels: ['stable'] }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/hist:stable' }))).Parameter!.Value).toBe('three');
    const h = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist' }));
    expect(h.Parameters!.map((p) => [p.Version, p.Value, p.Labels])).toEqual([
      [1, 'one', []],
      [2, 'two', []],
      [3, 'three', ['stable']],
    ]);
    const u = await ssm.send(
      new UnlabelParameterVersionCommand({ Name: '/hist', ParameterVersion: 3, Labels: ['stable', 'never'] }),
    );
    expect(u).toMatchObject({ RemovedLabels: ['stable'], InvalidLabels: ['never'] });
    await expect(ssm.send(new GetParameterCommand({ Name: '/hist:stable' }))).rejects.toBeInstanceOf(ParameterNotFound);
    const paged = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist', MaxResults: 2 }));
    expect(paged.Parameters).toHaveLength(2);
    const rest = await ssm.send(
      new GetParameterHistoryCommand({ Name: '/hist', MaxResults: 2, NextToken: paged.NextToken }),
    );
    expect(rest.Parameters!.map((p) => p.Version)).toEqual([3]);
    expect(rest.NextToken).toBeUndefined();
  });
});

describe('by path, describe, delete, tags', () => {
  beforeAll(async () => {
    await put('/svc/a', '1');
    await put('/svc/b', '2');
    await put('/svc/deep/c', '3');
    await put('/svc/deep/deeper/d', '4');
    await ssm.send(new PutParameterCommand({ Name: '/svc/deep/s', Value: 'hidden', Type: 'SecureString' }));
    await put('/svcx/not', 'no');
  });

  it('lists one level, or every level with Recursive, paging through the SDK paginator', async () => {
    const one = await ssm.send(new GetParametersByPathCommand({ Path: '/svc' }));
    expect(one.Parameters!.map((p) => p.Name)).toEqual(['/svc/a', '/svc/b']);
    const all: string[] = [];
    for await (const page of paginateGetParametersByPath(
      { client: ssm, pageSize: 2 },
      { Path: '/svc/', Recursive: true, WithDecryption: true },
    )) {
      expect(page.Parameters!.length).toBeLessThanOrEqual(2);
      all.push(...page.Parameters!.map((p) => `${p.Name}=${p.Value}`));
    }
    expect(all).toEqual(['/svc/a=1', '/svc/b=2', '/svc/deep/c=3', '/svc/deep/deeper/d=4', '/svc/deep/s=hidden']);
    const secure = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/svc',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
      }),
    );
    expect(secure.Parameters!.map((p) => p.Name)).toEqual(['/svc/deep/s']);
    expect(secure.Parameters![0].Value).not.toBe('hidden');
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })),
    ).rejects.toBeInstanceOf(InvalidFilterKey);
    await expect(ssm.send(new GetParametersByPathCommand({ Path: 'svc' }))).rejects.toThrow(/forward slash/);
  });

  it('DescribeParameters with Name, Path and tag filters', async () => {
    const names = async (ParameterFilters: { Key: string; Option?: string; Values?: string[] }[]) =>
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters }))).Parameters!.map((p) => p.Name);
    expect(await names([{ Key: 'Name', Option: 'BeginsWith', Values: ['/svc/deep/'] }])).toEqual([
      '/svc/deep/c',
      '/svc/deep/deeper/d',
      '/svc/deep/s',
    ]);
    expect(await names([{ Key: 'Path', Option: 'OneLevel', Values: ['/svc/deep'] }])).toEqual([
      '/svc/deep/c',
      '/svc/deep/s',
    ]);
    expect(await names([{ Key: 'Name', Option: 'Contains', Values: ['deeper'] }])).toEqual(['/svc/deep/deeper/d']);
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/svc/a',
        Tags: [
          { Key: 'team', Value: 'core' },
          { Key: 'env', Value: 'dev' },
        ],
      }),
    );
    expect(await names([{ Key: 'tag:team', Values: ['core'] }])).toEqual(['/svc/a']);
    await ssm.send(
      new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/a', TagKeys: ['team'] }),
    );
    expect(
      (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/a' }))).TagList,
    ).toEqual([{ Key: 'env', Value: 'dev' }]);
    await expect(
      ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/nope' })),
    ).rejects.toThrow(/resource ID is not valid/);
    await expect(put('/tagged', 'x', { Tags: [{ Key: 'a', Value: 'b' }] })).resolves.toBeDefined();
    await expect(put('/tagged', 'y', { Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })).rejects.toThrow(
      /tags and overwrite can't be used together/,
    );
  });

  it('deletes one or several', async () => {
    await ssm.send(new DeleteParameterCommand({ Name: '/svcx/not' }));
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/svcx/not' }))).rejects.toBeInstanceOf(ParameterNotFound);
    const r = await ssm.send(new DeleteParametersCommand({ Names: ['/svc/a', '/svc/zzz'] }));
    expect(r).toMatchObject({ DeletedParameters: ['/svc/a'], InvalidParameters: ['/svc/zzz'] });
    expect((await ssm.send(new GetParametersByPathCommand({ Path: '/svc' }))).Parameters!.map((p) => p.Name)).toEqual([
      '/svc/b',
    ]);
  });
});

describe('/aws/reference/secretsmanager', () => {
  it('reads a Secrets Manager secret through Parameter Store, by stage or version', async () => {
    const sm = t.client(SecretsManagerClient);
    const c = await sm.send(new CreateSecretCommand({ Name: 'ref/db', SecretString: 'first' }));
    await sm.send(new PutSecretValueCommand({ SecretId: 'ref/db', SecretString: 'second' }));
    const p = (
      await ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/ref/db', WithDecryption: true }))
    ).Parameter!;
    expect(p).toMatchObject({
      Name: '/aws/reference/secretsmanager/ref/db',
      Type: 'SecureString',
      Value: 'second',
      ARN: c.ARN,
    });
    expect(JSON.parse(p.SourceResult!)).toMatchObject({ Name: 'ref/db', ARN: c.ARN });
    expect(
      (
        await ssm.send(
          new GetParameterCommand({ Name: '/aws/reference/secretsmanager/ref/db:AWSPREVIOUS', WithDecryption: true }),
        )
      ).Parameter!.Value,
    ).toBe('first');
    expect(
      (
        await ssm.send(
          new GetParameterCommand({
            Name: `/aws/reference/secretsmanager/ref/db:${c.VersionId}`,
            WithDecryption: true,
          }),
        )
      ).Parameter!.Value,
    ).toBe('first');
    await expect(ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/ref/db' }))).rejects.toThrow(
      'WithDecryption flag must be True for retrieving a Secret Manager secret.',
    );
    await expect(
      ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/none', WithDecryption: true })),
    ).rejects.toBeInstanceOf(ParameterNotFound);
  });
});
