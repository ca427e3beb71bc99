/**
 * Parameter Store behaviours verified against AWS: root-level names with or without their
 * slash, an empty AllowedPattern (what Terraform sends), ARNs everywhere a name goes, and the
 * public parameters ECS users read.
 */
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { secrets } from '@dockside/secrets';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [secrets()] }), { resetEach: true });
const ssm = gw.sdk(SSMClient);
const ARN = (name: string) => `arn:aws:ssm:us-east-1:000000000000:parameter/${name.replace(/^\//, '')}`;

test('a root-level parameter is the same parameter with or without its leading slash', async () => {
  await ssm.send(new PutParameterCommand({ Name: 'root-param', Type: 'String', Value: 'v1' }));
  expect((await ssm.send(new GetParameterCommand({ Name: '/root-param' }))).Parameter?.Value).toBe('v1');
  // Writing through the other form is an overwrite of the same parameter, not a second one.
  await expect(
    ssm.send(new PutParameterCommand({ Name: '/root-param', Type: 'String', Value: 'v2' })),
  ).rejects.toMatchObject({
    name: 'ParameterAlreadyExists',
  });
  await ssm.send(new PutParameterCommand({ Name: '/root-param', Type: 'String', Value: 'v2', Overwrite: true }));
  expect((await ssm.send(new GetParameterCommand({ Name: 'root-param' }))).Parameter).toMatchObject({
    Value: 'v2',
    Version: 2,
  });
  const byPath = await ssm.send(new GetParametersByPathCommand({ Path: '/' }));
  expect(byPath.Parameters?.map((p) => p.Value)).toEqual(['v2']);
  await ssm.send(new DeleteParameterCommand({ Name: '/root-param' }));
  await expect(ssm.send(new GetParameterCommand({ Name: 'root-param' }))).rejects.toMatchObject({
    name: 'ParameterNotFound',
  });
});

test('an empty AllowedPattern means no pattern (the Terraform provider always sends one)', async () => {
  await ssm.send(
    new PutParameterCommand({ Name: '/tf/p', Type: 'String', Value: 'anything at all', AllowedPattern: '' }),
  );
  const got = (await ssm.send(new GetParameterCommand({ Name: '/tf/p' }))).Parameter;
  expect(got?.Value).toBe('anything at all');
  const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/tf/p' }));
  expect(history.Parameters?.[0].AllowedPattern).toBeUndefined();
  await expect(
    ssm.send(new PutParameterCommand({ Name: '/tf/q', Type: 'String', Value: 'abc', AllowedPattern: '^\\d+$' })),
  ).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
});

test('parameter ARNs work in GetParameter(s), history and labels', async () => {
  await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Type: 'String', Value: 'db.local' }));
  expect((await ssm.send(new GetParameterCommand({ Name: ARN('/app/db/host') }))).Parameter?.Value).toBe('db.local');
  const both = await ssm.send(new GetParametersCommand({ Names: [ARN('/app/db/host'), '/app/missing'] }));
  expect(both.Parameters?.map((p) => p.Value)).toEqual(['db.local']);
  expect(both.InvalidParameters).toEqual(['/app/missing']);
  expect((await ssm.send(new GetParameterHistoryCommand({ Name: ARN('/app/db/host') }))).Parameters).toHaveLength(1);
  await ssm.send(new LabelParameterVersionCommand({ Name: ARN('/app/db/host'), Labels: ['live'] }));
  expect((await ssm.send(new GetParameterCommand({ Name: '/app/db/host:live' }))).Parameter?.Value).toBe('db.local');
});

test('public parameters: the ECS-optimized AMI ids and the global infrastructure', async () => {
  const amiId = (
    await ssm.send(
      new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id' }),
    )
  ).Parameter!;
  expect(amiId.Value).toMatch(/^ami-0[0-9a-f]{16}$/);
  expect(amiId).toMatchObject({
    Type: 'String',
    DataType: 'aws:ec2:image',
    ARN: 'arn:aws:ssm:us-east-1::parameter/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id',
  });
  const recommended = JSON.parse(
    (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended' })))
      .Parameter!.Value!,
  );
  expect(recommended).toMatchObject({
    os: 'Amazon Linux 2023',
    schema_version: 1,
    image_id: expect.stringMatching(/^ami-/),
  });
  // Another region sees another id; the same region always the same one.
  const euAmi = await gw
    .client(SSMClient, { region: 'eu-west-1' })
    .send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id' }));
  expect(euAmi.Parameter?.Value).toMatch(/^ami-0[0-9a-f]{16}$/);
  expect(euAmi.Parameter?.Value).not.toBe(amiId.Value);
  const region = await ssm.send(
    new GetParameterCommand({ Name: '/aws/service/global-infrastructure/regions/eu-west-1/longName' }),
  );
  expect(region.Parameter?.Value).toBe('Europe (Ireland)');
  const all: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: '/aws/service/global-infrastructure/regions', NextToken }),
    );
    all.push(...(page.Parameters ?? []).map((p) => p.Value!));
    NextToken = page.NextToken;
  } while (NextToken);
  expect(all).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-northeast-1']));
  await expect(
    ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/no-such/recommended' })),
  ).rejects.toMatchObject({
    name: 'ParameterNotFound',
  });
});

test('DescribeParameters filter rules, with AWS codes and messages, before anything is read', async () => {
  const err = (filters: object[]) =>
    rejection(ssm.send(new DescribeParametersCommand({ ParameterFilters: filters as never })));
  expect(await err([{ Key: 'Label', Values: ['x'] }])).toMatchObject({
    name: 'InvalidFilterKey',
    message:
      'The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier].',
  });
  expect(await err([{ Key: 'Name' }])).toMatchObject({
    name: 'InvalidFilterValue',
    message: 'The following filter values are missing : null for filter key Name.',
  });
  expect(
    await err([
      { Key: 'Name', Values: ['a'] },
      { Key: 'Name', Values: ['b'] },
    ]),
  ).toMatchObject({
    name: 'InvalidFilterKey',
    message:
      'The following filter is duplicated in the request: Name. A request can contain only one occurrence of a specific filter.',
  });
  expect((await err([{ Key: 'Path', Values: ['/aws', '/ssm'] }])).message).toMatch(
    /^Filters for common parameters can't be prefixed with "aws" or "ssm" \(case-insensitive\)\./,
  );
  for (const path of ['/###', '//', 'test']) {
    expect((await err([{ Key: 'Path', Values: [path] }])).message).toMatch(
      /^The parameter doesn't meet the parameter name requirements/,
    );
  }
  expect(await err([{ Key: 'Path', Option: 'Equals', Values: ['/a'] }])).toMatchObject({
    name: 'InvalidFilterOption',
    message: 'The following filter option is not valid: Equals. Valid options include: [Recursive, OneLevel].',
  });
  expect(await err([{ Key: 'Tier', Values: ['test'] }])).toMatchObject({
    name: 'InvalidFilterValue',
    message:
      'The following filter value is not valid: test. Valid values include: [Standard, Advanced, Intelligent-Tiering].',
  });
  expect((await err([{ Key: 'Type', Values: ['test'] }])).message).toBe(
    'The following filter value is not valid: test. Valid values include: [String, StringList, SecureString].',
  );
  // GetParametersByPath names its own keys.
  expect(
    await rejection(
      ssm.send(new GetParametersByPathCommand({ Path: '/a', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })),
    ),
  ).toMatchObject({
    message: 'The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId].',
  });
});

test('empty Policies are left out of DescribeParameters and GetParameterHistory', async () => {
  await ssm.send(new PutParameterCommand({ Name: '/pol/a', Type: 'String', Value: 'v' }));
  const described = await ssm.send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/pol/a'] }] }),
  );
  expect(described.Parameters?.[0]).not.toHaveProperty('Policies');
  const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/pol/a' }));
  expect(history.Parameters?.[0]).not.toHaveProperty('Policies');
});
