/** Task definition API through @aws-sdk/client-ecs. */
import {
  ClientException,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  paginateListTaskDefinitions,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { startTestGateway, type TestGateway } from '@dockside/testing';

let t: TestGateway;
let client: ECSClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1 })] });
  client = t.client(ECSClient);
});
beforeEach(() => t.gateway.reset());
afterAll(() => t.stop());

const arn = (fr: string) => `arn:aws:ecs:us-east-1:000000000000:task-definition/${fr}`;
const register = (family: string, extra: Record<string, unknown> = {}) =>
  client.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: 'app', image: 'busybox', memory: 32 }],
      ...extra,
    }),
  );

test('register returns the definition as ECS does', async () => {
  const out = await register('web', {
    tags: [{ key: 'team', value: 'x' }],
    taskRoleArn: 'arn:aws:iam::000000000000:role/app',
  });
  expect(out.taskDefinition).toMatchObject({
    taskDefinitionArn: arn('web:1'),
    family: 'web',
    revision: 1,
    status: 'ACTIVE',
    networkMode: 'bridge',
    taskRoleArn: 'arn:aws:iam::000000000000:role/app',
    compatibilities: ['EXTERNAL', 'EC2'],
    volumes: [],
    placementConstraints: [],
    registeredBy: 'arn:aws:iam::000000000000:root',
    containerDefinitions: [
      {
        name: 'app',
        image: 'busybox',
        memory: 32,
        cpu: 0,
        essential: true,
        portMappings: [],
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
      },
    ],
  });
  expect(out.taskDefinition?.registeredAt).toBeInstanceOf(Date);
  expect(out.tags).toEqual([{ key: 'team', value: 'x' }]);
});

test('revisions rise and are never reused; describe by family, family:rev and ARN', async () => {
  await register('svc');
  await register('svc');
  await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'svc:2' }));
  await client.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['svc:2'] }));
  const third = await register('svc');
  expect(third.taskDefinition?.revision).toBe(3);
  expect(
    (await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'svc' }))).taskDefinition?.revision,
  ).toBe(3);
  expect(
    (await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'svc:1' }))).taskDefinition?.revision,
  ).toBe(1);
  expect(
    (await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn('svc:3') }))).taskDefinition?.revision,
  ).toBe(3);
  await expect(client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'svc:2' }))).rejects.toBeInstanceOf(
    ClientException,
  );
  await expect(client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' }))).rejects.toThrow(
    'Unable to describe task definition.',
  );
});

test('deregister → INACTIVE; latest ACTIVE skips it; delete only INACTIVE → DELETE_IN_PROGRESS', async () => {
  await register('d');
  await register('d');
  const dereg = await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn('d:2') }));
  expect(dereg.taskDefinition?.status).toBe('INACTIVE');
  expect(dereg.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
  expect((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'd' }))).taskDefinition?.revision).toBe(
    1,
  );
  expect((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'd:2' }))).taskDefinition?.status).toBe(
    'INACTIVE',
  );
  await expect(client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'd' }))).rejects.toBeInstanceOf(
    ClientException,
  );
  const del = await client.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['d:1', 'd:2', 'd:9'] }));
  expect(del.taskDefinitions?.map((x) => [x.revision, x.status])).toEqual([[2, 'DELETE_IN_PROGRESS']]);
  expect(del.failures).toEqual([
    {
      arn: arn('d:1'),
      reason: 'TASK_DEFINITION_IN_ACTIVE_STATE',
      detail: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
    },
    { arn: 'd:9', reason: 'TASK_DEFINITION_NOT_FOUND', detail: 'The specified task definition does not exist.' },
  ]);
});

test('ListTaskDefinitions: prefix, status, sort, pagination; ListTaskDefinitionFamilies', async () => {
  for (const f of ['api', 'api', 'api-worker', 'batch']) await register(f);
  await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'batch:1' }));
  const list = await client.send(new ListTaskDefinitionsCommand({}));
  expect(list.taskDefinitionArns).toEqual([arn('api:1'), arn('api:2'), arn('api-worker:1')]);
  // familyPrefix names one family exactly, as on AWS: `api` does not list `api-worker`.
  const desc = await client.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api', sort: 'DESC' }));
  expect(desc.taskDefinitionArns).toEqual([arn('api:2'), arn('api:1')]);
  expect((await client.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }))).taskDefinitionArns).toEqual([
    arn('batch:1'),
  ]);
  const pages: string[][] = [];
  for await (const p of paginateListTaskDefinitions({ client, pageSize: 2 }, { sort: 'DESC' }))
    pages.push(p.taskDefinitionArns ?? []);
  expect(pages).toEqual([[arn('api-worker:1'), arn('api:2')], [arn('api:1')]]);
  expect((await client.send(new ListTaskDefinitionFamiliesCommand({}))).families).toEqual(['api', 'api-worker']);
  expect((await client.send(new ListTaskDefinitionFamiliesCommand({ status: 'INACTIVE' }))).families).toEqual([
    'batch',
  ]);
  expect(
    (await client.send(new ListTaskDefinitionFamiliesCommand({ status: 'ALL', familyPrefix: 'b' }))).families,
  ).toEqual(['batch']);
});

test('tags on task definitions, and include: TAGS', async () => {
  await register('tagged', { tags: [{ key: 'a', value: '1' }] });
  await client.send(new TagResourceCommand({ resourceArn: arn('tagged:1'), tags: [{ key: 'b', value: '2' }] }));
  expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn('tagged:1') }))).tags).toHaveLength(2);
  const d = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged', include: ['TAGS'] }));
  expect(d.tags).toEqual([
    { key: 'a', value: '1' },
    { key: 'b', value: '2' },
  ]);
  expect((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged' }))).tags).toBeUndefined();
  await expect(client.send(new ListTagsForResourceCommand({ resourceArn: arn('tagged:7') }))).rejects.toBeInstanceOf(
    ClientException,
  );
});

test('a refused registration stores nothing and uses no revision', async () => {
  await expect(register('bad', { containerDefinitions: [{ name: 'x', image: 'i' }] })).rejects.toThrow(
    "Invalid setting for container 'x'. At least one of 'memory' or 'memoryReservation' must be specified.",
  );
  await expect(register('bad', { tags: [{ key: 'aws:no', value: 'x' }] })).rejects.toThrow();
  expect((await register('bad')).taskDefinition?.revision).toBe(1);
});
