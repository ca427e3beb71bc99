/** ECS first slice through @aws-sdk/client-ecs against a real gateway hosting the ecs plugin. */
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  DeleteAccountSettingCommand,
  DeleteAttributesCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  InvalidParameterException,
  ListAccountSettingsCommand,
  ListAttributesCommand,
  ListClustersCommand,
  ListTagsForResourceCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  PutAttributesCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  TagResourceCommand,
  TargetNotFoundException,
  UntagResourceCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  ClusterContainsContainerInstancesException,
  paginateListClusters,
  paginateListAccountSettings,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ecs()] }), { resetEach: true });
const client = gw.sdk(ECSClient);

const arn = (name: string) => `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`;

describe('CreateCluster', () => {
  test('returns the cluster with real defaults', async () => {
    const { cluster } = await client.send(
      new CreateClusterCommand({ clusterName: 'alpha', tags: [{ key: 'team', value: 'a' }] }),
    );
    expect(cluster).toEqual({
      clusterArn: arn('alpha'),
      clusterName: 'alpha',
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      statistics: [],
      tags: [{ key: 'team', value: 'a' }],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    });
  });

  test('no name creates "default"; the same name again is idempotent', async () => {
    const a = await client.send(new CreateClusterCommand({}));
    expect(a.cluster?.clusterName).toBe('default');
    const b = await client.send(
      new CreateClusterCommand({ clusterName: 'default', settings: [{ name: 'containerInsights', value: 'enabled' }] }),
    );
    expect(b.cluster).toEqual(a.cluster);
    expect((await client.send(new ListClustersCommand({}))).clusterArns).toEqual([arn('default')]);
  });

  test('bad names, settings, tags and providers are refused and store nothing', async () => {
    for (const input of [
      { clusterName: 'has space' },
      { clusterName: 'x'.repeat(256) },
      { clusterName: 'ok1', settings: [{ name: 'containerInsights' as const, value: 'sometimes' }] },
      { clusterName: 'ok2', tags: [{ key: 'aws:reserved', value: 'v' }] },
      { clusterName: 'ok3', capacityProviders: ['MY_ASG'] },
      {
        clusterName: 'ok4',
        capacityProviders: ['FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      },
    ]) {
      await expect(client.send(new CreateClusterCommand(input))).rejects.toBeInstanceOf(InvalidParameterException);
    }
    expect((await client.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
  });
});

describe('DescribeClusters', () => {
  beforeEach(async () => {
    await client.send(new CreateClusterCommand({ clusterName: 'alpha', tags: [{ key: 'k', value: 'v' }] }));
  });

  test('missing clusters come back in failures; optional parts only with include', async () => {
    const out = await client.send(new DescribeClustersCommand({ clusters: ['alpha', 'ghost', arn('other')] }));
    expect(out.clusters?.map((c) => c.clusterName)).toEqual(['alpha']);
    expect(out.clusters?.[0].tags).toEqual([]);
    expect(out.clusters?.[0].settings).toBeUndefined();
    expect(out.failures).toEqual([
      { arn: arn('ghost'), reason: 'MISSING' },
      { arn: arn('other'), reason: 'MISSING' },
    ]);
    const full = await client.send(
      new DescribeClustersCommand({ clusters: [arn('alpha')], include: ['TAGS', 'SETTINGS', 'STATISTICS'] }),
    );
    const c = full.clusters![0];
    expect(c.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(c.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
    expect(c.statistics?.map((s) => s.name)).toContain('runningFargateTasksCount');
  });

  test('no clusters means "default"', async () => {
    const out = await client.send(new DescribeClustersCommand({}));
    expect(out.failures).toEqual([{ arn: arn('default'), reason: 'MISSING' }]);
  });

  test('another region is another partition', async () => {
    const west = gw.t.client(ECSClient, { region: 'us-west-2' });
    const out = await west.send(new DescribeClustersCommand({ clusters: ['alpha'] }));
    expect(out.clusters).toEqual([]);
    expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:us-west-2:000000000000:cluster/alpha', reason: 'MISSING' }]);
  });
});

test('ListClusters paginates with maxResults/nextToken and the SDK paginator', async () => {
  const names = Array.from({ length: 7 }, (_, i) => `c${i}`);
  for (const n of names) await client.send(new CreateClusterCommand({ clusterName: n }));
  const first = await client.send(new ListClustersCommand({ maxResults: 3 }));
  expect(first.clusterArns).toEqual(names.slice(0, 3).map(arn));
  expect(first.nextToken).toBeTruthy();
  const second = await client.send(new ListClustersCommand({ maxResults: 3, nextToken: first.nextToken }));
  expect(second.clusterArns).toEqual(names.slice(3, 6).map(arn));
  const all: string[] = [];
  for await (const page of paginateListClusters({ client, pageSize: 2 }, {})) all.push(...(page.clusterArns ?? []));
  expect(all).toEqual(names.map(arn));
  await expect(client.send(new ListClustersCommand({ maxResults: 101 }))).rejects.toBeInstanceOf(
    InvalidParameterException,
  );
  await expect(client.send(new ListClustersCommand({ nextToken: 'garbage!' }))).rejects.toBeInstanceOf(
    InvalidParameterException,
  );
});

describe('DeleteCluster', () => {
  test('marks the cluster INACTIVE; it is gone from lists and from further updates', async () => {
    await client.send(new CreateClusterCommand({ clusterName: 'gone' }));
    const { cluster } = await client.send(new DeleteClusterCommand({ cluster: 'gone' }));
    expect(cluster?.status).toBe('INACTIVE');
    expect((await client.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    const described = await client.send(new DescribeClustersCommand({ clusters: ['gone'] }));
    expect(described.clusters?.[0].status).toBe('INACTIVE');
    await expect(client.send(new DeleteClusterCommand({ cluster: 'gone' }))).rejects.toBeInstanceOf(
      ClusterNotFoundException,
    );
    await expect(
      client.send(new UpdateClusterSettingsCommand({ cluster: 'gone', settings: [] })),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
    // The name can be used again.
    expect((await client.send(new CreateClusterCommand({ clusterName: 'gone' }))).cluster?.status).toBe('ACTIVE');
  });

  test('refused while container instances are registered', async () => {
    await client.send(new CreateClusterCommand({ clusterName: 'busy' }));
    await client.send(new RegisterContainerInstanceCommand({ cluster: 'busy' }));
    await expect(client.send(new DeleteClusterCommand({ cluster: 'busy' }))).rejects.toBeInstanceOf(
      ClusterContainsContainerInstancesException,
    );
  });

  test('a missing cluster', async () => {
    const err = await client.send(new DeleteClusterCommand({ cluster: 'nope' })).catch((e) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect(err.message).toBe('Cluster not found.');
  });
});

test('UpdateCluster, UpdateClusterSettings and PutClusterCapacityProviders', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'u' }));
  const updated = await client.send(
    new UpdateClusterCommand({
      cluster: 'u',
      configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
      serviceConnectDefaults: { namespace: 'ns-1' },
    }),
  );
  expect(updated.cluster?.configuration).toEqual({ executeCommandConfiguration: { logging: 'DEFAULT' } });
  expect(updated.cluster?.serviceConnectDefaults).toEqual({ namespace: 'ns-1' });
  const settings = await client.send(
    new UpdateClusterSettingsCommand({ cluster: 'u', settings: [{ name: 'containerInsights', value: 'enhanced' }] }),
  );
  expect(settings.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'enhanced' }]);
  const cp = await client.send(
    new PutClusterCapacityProvidersCommand({
      cluster: 'u',
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 4 },
      ],
    }),
  );
  expect(cp.cluster?.capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT']);
  expect(cp.cluster?.defaultCapacityProviderStrategy).toHaveLength(2);
  await expect(
    client.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'u',
        capacityProviders: ['FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      }),
    ),
  ).rejects.toBeInstanceOf(InvalidParameterException);
  // The refused call changed nothing.
  const after = await client.send(new DescribeClustersCommand({ clusters: ['u'] }));
  expect(after.clusters?.[0].capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT']);
  await expect(client.send(new UpdateClusterCommand({ cluster: 'nope', settings: [] }))).rejects.toBeInstanceOf(
    ClusterNotFoundException,
  );
});

test('TagResource / UntagResource / ListTagsForResource on clusters', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'tagged', tags: [{ key: 'a', value: '1' }] }));
  await client.send(
    new TagResourceCommand({
      resourceArn: arn('tagged'),
      tags: [
        { key: 'b', value: '2' },
        { key: 'a', value: 'one' },
      ],
    }),
  );
  expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn('tagged') }))).tags).toEqual([
    { key: 'a', value: 'one' },
    { key: 'b', value: '2' },
  ]);
  await client.send(new UntagResourceCommand({ resourceArn: arn('tagged'), tagKeys: ['a', 'missing'] }));
  expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn('tagged') }))).tags).toEqual([
    { key: 'b', value: '2' },
  ]);
  await expect(
    client.send(new TagResourceCommand({ resourceArn: arn('ghost'), tags: [{ key: 'x', value: 'y' }] })),
  ).rejects.toBeInstanceOf(ClusterNotFoundException);
  await expect(client.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' }))).rejects.toBeInstanceOf(
    InvalidParameterException,
  );
  const tooMany = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  await expect(
    client.send(new TagResourceCommand({ resourceArn: arn('tagged'), tags: tooMany })),
  ).rejects.toBeInstanceOf(InvalidParameterException);
  expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn('tagged') }))).tags).toEqual([
    { key: 'b', value: '2' },
  ]);
});

test('account settings: put, default, effective, delete', async () => {
  const root = 'arn:aws:iam::000000000000:root';
  const role = 'arn:aws:iam::000000000000:role/dev';
  const put = await client.send(
    new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled', principalArn: role }),
  );
  expect(put.setting).toEqual({ name: 'containerInsights', value: 'enabled', principalArn: role, type: 'user' });
  await client.send(new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
  const own = await client.send(new ListAccountSettingsCommand({ principalArn: role }));
  expect(own.settings).toEqual([{ name: 'containerInsights', value: 'enabled', principalArn: role, type: 'user' }]);
  // Eleven effective settings, at most ten a page: read them with the SDK's paginator.
  const effective = [];
  for await (const page of paginateListAccountSettings({ client }, { principalArn: role, effectiveSettings: true }))
    effective.push(...(page.settings ?? []));
  expect(effective).toHaveLength(11);
  const byName = Object.fromEntries(effective.map((s) => [s.name, s]));
  expect(byName.containerInsights.value).toBe('enabled');
  expect(byName.awsvpcTrunking).toMatchObject({ value: 'enabled', principalArn: role });
  expect(byName.taskLongArnFormat).toMatchObject({ value: 'enabled', type: 'aws_managed' });
  // A cluster created with no settings takes the containerInsights default of the account.
  await client.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enhanced' }));
  const c = await client.send(new CreateClusterCommand({ clusterName: 'insightful' }));
  expect(c.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'enhanced' }]);
  await expect(
    client.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'maybe' })),
  ).rejects.toBeInstanceOf(InvalidParameterException);
  const del = await client.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: role }));
  expect(del.setting?.value).toBe('enabled');
  expect((await client.send(new ListAccountSettingsCommand({ principalArn: role }))).settings).toEqual([]);
  expect((await client.send(new ListAccountSettingsCommand({ name: 'containerInsights' }))).settings).toEqual([
    { name: 'containerInsights', value: 'enhanced', principalArn: root, type: 'user' },
  ]);
});

test('attributes on container instances: put, list (filters, pages), delete, unknown target', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'attrs' }));
  const { containerInstance } = await client.send(new RegisterContainerInstanceCommand({ cluster: 'attrs' }));
  const ci = containerInstance!.containerInstanceArn!;
  const put = await client.send(
    new PutAttributesCommand({
      cluster: 'attrs',
      attributes: [
        { name: 'stack', value: 'prod', targetId: ci },
        { name: 'gpu', targetId: ci.split('/').pop() },
      ],
    }),
  );
  expect(put.attributes).toEqual([
    { name: 'stack', value: 'prod', targetId: ci, targetType: 'container-instance' },
    { name: 'gpu', targetId: ci, targetType: 'container-instance' },
  ]);
  const listed = await client.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance' }));
  // The agent's built-in attributes (ecs.*, capabilities) come first, sorted, then the custom ones.
  const names = listed.attributes!.map((a) => a.name!);
  expect(names).toEqual([...names].sort());
  expect(names).toEqual(
    expect.arrayContaining([
      'ecs.availability-zone',
      'ecs.cpu-architecture',
      'ecs.instance-type',
      'ecs.os-type',
      'gpu',
      'stack',
    ]),
  );
  const filtered = await client.send(
    new ListAttributesCommand({
      cluster: 'attrs',
      targetType: 'container-instance',
      attributeName: 'stack',
      attributeValue: 'prod',
    }),
  );
  expect(filtered.attributes).toEqual([
    { name: 'stack', value: 'prod', targetId: ci, targetType: 'container-instance' },
  ]);
  const page = await client.send(
    new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', maxResults: names.length - 1 }),
  );
  expect(page.attributes).toHaveLength(names.length - 1);
  const rest = await client.send(
    new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', nextToken: page.nextToken }),
  );
  expect(rest.attributes?.map((a) => a.name)).toEqual(['stack']);
  await client.send(new DeleteAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'stack', targetId: ci }] }));
  const after = await client.send(
    new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeName: 'stack' }),
  );
  expect(after.attributes).toEqual([]);
  const err = await client
    .send(new PutAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'x', targetId: 'feedface' }] }))
    .catch((e) => e);
  expect(err).toBeInstanceOf(TargetNotFoundException);
  await expect(
    client.send(new ListAttributesCommand({ cluster: 'nope', targetType: 'container-instance' })),
  ).rejects.toBeInstanceOf(ClusterNotFoundException);
});
