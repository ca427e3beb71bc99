/** Secrets Manager through @aws-sdk/client-secrets-manager against a real gateway. */
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  MalformedPolicyDocumentException,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  ValidateResourcePolicyCommand,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { secrets } from '@dockside/secrets';
import { startTestGateway, type TestGateway } from '@dockside/testing';

let t: TestGateway;
let sm: SecretsManagerClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [secrets()] });
  sm = t.client(SecretsManagerClient);
});
afterAll(() => t.stop());

describe('create and read', () => {
  it('creates a string secret whose ARN ends in a 6-character suffix, readable by name, full ARN and partial ARN', async () => {
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'app/db', SecretString: '{"password":"hunter2"}', Description: 'db creds' }),
    );
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:${t.region}:000000000000:secret:app/db-[A-Za-z0-9]{6}$`),
    );
    expect(created.VersionId).toBeDefined();
    const partial = created.ARN!.slice(0, -7);
    for (const id of ['app/db', created.ARN!, partial]) {
      const v = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      expect(v).toMatchObject({
        ARN: created.ARN,
        Name: 'app/db',
        SecretString: '{"password":"hunter2"}',
        VersionId: created.VersionId,
        VersionStages: ['AWSCURRENT'],
      });
      expect(v.CreatedDate).toBeInstanceOf(Date);
    }
    await expect(sm.send(new GetSecretValueCommand({ SecretId: `${partial}-zzzzzz` }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('keeps binary secrets as bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: bytes }));
    const v = await sm.send(new GetSecretValueCommand({ SecretId: 'bin' }));
    expect(Buffer.from(v.SecretBinary!)).toEqual(Buffer.from(bytes));
    expect(v.SecretString).toBeUndefined();
  });

  it('answers a retried CreateSecret with the same token as the first, and refuses a second secret of that name', async () => {
    const token = 'a'.repeat(8) + '-bbbb-cccc-dddd-' + 'e'.repeat(12);
    const first = await sm.send(
      new CreateSecretCommand({ Name: 'idem', SecretString: 'x', ClientRequestToken: token }),
    );
    const again = await sm.send(
      new CreateSecretCommand({ Name: 'idem', SecretString: 'x', ClientRequestToken: token }),
    );
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: token });
    const err = await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'y' })).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceExistsException);
    expect(err.message).toBe('The operation failed because the secret idem already exists.');
  });

  it('refuses bad input with AWS codes and keeps what is stored', async () => {
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'a', SecretBinary: new Uint8Array([1]) })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sm.send(new CreateSecretCommand({ Name: 'bad name!' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toThrow(
      "Secrets Manager can't find the specified secret.",
    );
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe(
      '{"password":"hunter2"}',
    );
  });

  it('a secret created without a value has no AWSCURRENT until one is put', async () => {
    const c = await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    expect(c.VersionId).toBeUndefined();
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'empty' }))).rejects.toThrow(
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
  });
});

describe('versions and stages', () => {
  it('PutSecretValue moves AWSCURRENT and leaves AWSPREVIOUS on the old version', async () => {
    const c = await sm.send(new CreateSecretCommand({ Name: 'rot', SecretString: 'v1' }));
    const p2 = await sm.send(new PutSecretValueCommand({ SecretId: 'rot', SecretString: 'v2' }));
    expect(p2.VersionStages).toEqual(['AWSCURRENT']);
    const p3 = await sm.send(new PutSecretValueCommand({ SecretId: 'rot', SecretString: 'v3' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot' }))).SecretString).toBe('v3');
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'rot', VersionStage: 'AWSPREVIOUS' }))).SecretString,
    ).toBe('v2');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot', VersionId: c.VersionId }))).SecretString).toBe(
      'v1',
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot' }));
    expect(d.VersionIdsToStages).toEqual({ [p2.VersionId!]: ['AWSPREVIOUS'], [p3.VersionId!]: ['AWSCURRENT'] });
    // v1 has no stage now: only listed with IncludeDeprecated.
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'rot' }));
    expect(listed.Versions!.map((v) => v.VersionId).sort()).toEqual([p2.VersionId, p3.VersionId].sort());
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'rot', IncludeDeprecated: true }));
    expect(all.Versions).toHaveLength(3);
    // A token reused with another value is refused.
    await expect(
      sm.send(new PutSecretValueCommand({ SecretId: 'rot', SecretString: 'other', ClientRequestToken: p3.VersionId })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    // Custom stages, and an unknown stage.
    await sm.send(new PutSecretValueCommand({ SecretId: 'rot', SecretString: 'staged', VersionStages: ['BLUE'] }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot', VersionStage: 'BLUE' }))).SecretString).toBe(
      'staged',
    );
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot' }))).SecretString).toBe('v3');
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'rot', VersionStage: 'GREEN' }))).rejects.toThrow(
      'staging label: GREEN',
    );
  });

  it('UpdateSecretVersionStage moves a label only when told where it was', async () => {
    const c = await sm.send(new CreateSecretCommand({ Name: 'stages', SecretString: 'one' }));
    const p = await sm.send(new PutSecretValueCommand({ SecretId: 'stages', SecretString: 'two' }));
    await expect(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'stages',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: c.VersionId,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'stages',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: c.VersionId,
        RemoveFromVersionId: p.VersionId,
      }),
    );
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'stages' }))).SecretString).toBe('one');
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'stages', VersionStage: 'AWSPREVIOUS' }))).SecretString,
    ).toBe('two');
  });

  it('UpdateSecret changes the description and, with a value, makes a new AWSCURRENT', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'upd', SecretString: 'a' }));
    const noValue = await sm.send(new UpdateSecretCommand({ SecretId: 'upd', Description: 'new text' }));
    expect(noValue.VersionId).toBeUndefined();
    const withValue = await sm.send(new UpdateSecretCommand({ SecretId: 'upd', SecretString: 'b' }));
    expect(withValue.VersionId).toBeDefined();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'upd' }))).SecretString).toBe('b');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'upd' }))).Description).toBe('new text');
  });
});

describe('delete and restore', () => {
  it('schedules deletion, refuses access while scheduled, restores, and force-deletes', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 's' }));
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 3 }))).rejects.toThrow(
      'between 7 and 30 days',
    );
    await expect(
      sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const d = await sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7 }));
    expect(d.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const refused = await sm.send(new GetSecretValueCommand({ SecretId: 'gone' })).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidRequestException);
    expect(refused.message).toMatch(/marked for deletion/);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'gone', SecretString: 'x' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'x' }))).rejects.toThrow(
      /scheduled for deletion/,
    );
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'gone' }))).DeletedDate).toBeInstanceOf(Date);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['gone'] }] }));
    expect(listed.SecretList).toHaveLength(0);
    const planned = await sm.send(
      new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['gone'] }] }),
    );
    expect(planned.SecretList!.map((s) => s.Name)).toEqual(['gone']);

    await sm.send(new RestoreSecretCommand({ SecretId: 'gone' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'gone' }))).SecretString).toBe('s');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'gone' }))).DeletedDate).toBeUndefined();

    await sm.send(new DeleteSecretCommand({ SecretId: 'gone', ForceDeleteWithoutRecovery: true }));
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'gone' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'again' }));
  });
});

describe('listing, tags, batch', () => {
  beforeAll(async () => {
    for (const [name, env] of [
      ['list/alpha', 'prod'],
      ['list/beta', 'dev'],
      ['list/gamma', 'prod'],
    ]) {
      await sm.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: name.toUpperCase(),
          Description: `The ${name.split('/')[1]} Secret`,
          Tags: [{ Key: 'env', Value: env }],
        }),
      );
    }
  });

  it('filters by name prefix, tag, description (case-insensitive), negation, and pages', async () => {
    const names = async (
      filters: { Key: 'name' | 'tag-key' | 'tag-value' | 'description' | 'all'; Values: string[] }[],
    ) => ((await sm.send(new ListSecretsCommand({ Filters: filters }))).SecretList ?? []).map((s) => s.Name).sort();
    expect(await names([{ Key: 'name', Values: ['list/'] }])).toEqual(['list/alpha', 'list/beta', 'list/gamma']);
    expect(await names([{ Key: 'name', Values: ['List/'] }])).toEqual([]);
    expect(
      await names([
        { Key: 'name', Values: ['list/'] },
        { Key: 'tag-value', Values: ['prod'] },
      ]),
    ).toEqual(['list/alpha', 'list/gamma']);
    expect(
      await names([
        { Key: 'name', Values: ['list/'] },
        { Key: 'tag-value', Values: ['!prod'] },
      ]),
    ).toEqual(['list/beta']);
    expect(await names([{ Key: 'description', Values: ['the beta'] }])).toEqual(['list/beta']);
    expect(await names([{ Key: 'all', Values: ['gamma'] }])).toEqual(['list/gamma']);

    const pages: string[][] = [];
    for await (const page of paginateListSecrets(
      { client: sm, pageSize: 2 },
      { Filters: [{ Key: 'name', Values: ['list/'] }], SortBy: 'name', SortOrder: 'desc' },
    )) {
      pages.push((page.SecretList ?? []).map((s) => s.Name!));
    }
    expect(pages).toEqual([['list/gamma', 'list/beta'], ['list/alpha']]);
  });

  it('tags and untags', async () => {
    await sm.send(
      new TagResourceCommand({
        SecretId: 'list/alpha',
        Tags: [
          { Key: 'team', Value: 'core' },
          { Key: 'env', Value: 'staging' },
        ],
      }),
    );
    await sm.send(new UntagResourceCommand({ SecretId: 'list/alpha', TagKeys: ['team'] }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'list/alpha' }))).Tags).toEqual([
      { Key: 'env', Value: 'staging' },
    ]);
    await expect(
      sm.send(new TagResourceCommand({ SecretId: 'list/alpha', Tags: [{ Key: 'aws:x', Value: '1' }] })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('BatchGetSecretValue by ids reports each missing one, and by filters', async () => {
    const byId = await sm.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['list/alpha', 'missing', 'list/beta'] }),
    );
    expect(byId.SecretValues!.map((v) => v.SecretString)).toEqual(['LIST/ALPHA', 'LIST/BETA']);
    expect(byId.Errors).toEqual([
      {
        SecretId: 'missing',
        ErrorCode: 'ResourceNotFoundException',
        Message: "Secrets Manager can't find the specified secret.",
      },
    ]);
    const byFilter = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['list/g'] }] }));
    expect(byFilter.SecretValues!.map((v) => v.Name)).toEqual(['list/gamma']);
    await expect(
      sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['a'], Filters: [{ Key: 'name', Values: ['a'] }] })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('GetRandomPassword', () => {
  it('honours length, exclusions and one of each included type', async () => {
    const pw = async (o: object) => (await sm.send(new GetRandomPasswordCommand(o))).RandomPassword!;
    expect(await pw({})).toHaveLength(32);
    for (let i = 0; i < 20; i++) {
      const p = await pw({ PasswordLength: 8, ExcludePunctuation: true, ExcludeCharacters: 'abcABC012' });
      expect(p).toMatch(/^[d-zD-Z3-9]{8}$/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
    }
    expect(
      await pw({ PasswordLength: 50, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true }),
    ).toMatch(/^[!-/:-@[-`{-~]{50}$/);
    expect(await pw({ PasswordLength: 200, IncludeSpace: true, RequireEachIncludedType: true })).toContain(' ');
    await expect(pw({ PasswordLength: 0 })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      pw({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('resource policies and rotation', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::000000000000:root' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
      },
    ],
  });

  it('stores, returns, validates and deletes a policy', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'pol', SecretString: 'x' }));
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: policy }));
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: 'pol' }))).ResourcePolicy).toBe(policy);
    await expect(
      sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: '{not json' })),
    ).rejects.toBeInstanceOf(MalformedPolicyDocumentException);
    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
    });
    await expect(sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: open }))).rejects.toThrow(
      /BlockPublicPolicy/,
    );
    expect((await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy }))).PolicyValidationPassed).toBe(
      true,
    );
    const bad = await sm.send(
      new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify({ Statement: [{ Effect: 'Maybe' }] }) }),
    );
    expect(bad.PolicyValidationPassed).toBe(false);
    expect(bad.ValidationErrors!.length).toBeGreaterThan(0);
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'pol' }));
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: 'pol' }))).ResourcePolicy).toBeUndefined();
  });

  it('records rotation configuration; rotating needs a Lambda, which is refused as AWS refuses an unusable one', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'x' }));
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'rotating' }))).rejects.toThrow(
      'No Lambda rotation function ARN is associated with this secret.',
    );
    const lambda = `arn:aws:lambda:${t.region}:000000000000:function:rotator`;
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'rotating',
        RotationLambdaARN: lambda,
        RotationRules: { AutomaticallyAfterDays: 10 },
        RotateImmediately: false,
      }),
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rotating' }));
    expect(d).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: lambda,
      RotationRules: { AutomaticallyAfterDays: 10 },
    });
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'rotating' }))).rejects.toThrow(
      /cannot invoke the specified Lambda function/,
    );
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('x');
  });
});
