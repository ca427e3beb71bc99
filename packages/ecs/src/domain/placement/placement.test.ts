import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from '../../state/types';
import { ExpressionError, evaluate, parseExpression, type QuerySubject } from './expression';
import { place } from './place';
import { registeredResources } from './resources';

const subject: QuerySubject = {
  agentConnected: true,
  agentVersion: '1.89.0',
  attributes: { 'ecs.instance-type': 't3.large', 'ecs.availability-zone': 'us-east-1b', stack: 'prod', flag: '' },
  ec2InstanceId: 'i-0abc',
  registeredAt: new Date('2026-06-01T00:00:00Z'),
  runningTasksCount: 3,
  taskGroups: ['service:web', 'family:batch'],
};

describe('cluster query language', () => {
  test.each<[string, boolean]>([
    ['attribute:ecs.instance-type == t3.large', true],
    ['attribute:ecs.instance-type equals t3.large', true],
    ['attribute:ecs.instance-type != t3.large', false],
    ['attribute:ecs.instance-type =~ t3.*', true],
    ['attribute:ecs.instance-type matches m5.*', false],
    ['attribute:ecs.instance-type !~ m5.*', true],
    ['attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', true],
    ['attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]', false],
    ['attribute:ecs.instance-type == t3.*', true],
    ['attribute:stack exists', true],
    ['attribute:missing exists', false],
    ['attribute:missing !exists', true],
    ['attribute:missing not_exists', true],
    ['runningTasksCount > 2', true],
    ['runningTasksCount <= 2', false],
    ['runningTasksCount greater_than_equal 3', true],
    ['agentVersion >= 1.10.0', true],
    ['agentVersion < 1.9.0', false],
    ['agentConnected == true', true],
    ['ec2InstanceId in [i-0abc, i-0def]', true],
    ['registeredAt < 2026-07-01T00:00:00Z', true],
    ['task:group == service:web', true],
    ['task:group == service:api', false],
    ['attribute:stack == prod and runningTasksCount < 10', true],
    ['attribute:stack == dev && runningTasksCount < 10', false],
    ['attribute:stack == dev or attribute:ecs.availability-zone == us-east-1b', true],
    ['attribute:stack == dev || attribute:stack == prod', true],
    ['not(attribute:stack == dev)', true],
    ['!(attribute:stack == prod)', false],
    ['(attribute:stack == dev or attribute:stack == prod) and not (runningTasksCount > 5)', true],
  ])('%s → %s', (expression, expected) => {
    expect(evaluate(parseExpression(expression), subject)).toBe(expected);
  });

  test.each([
    '',
    'attribute:stack',
    'attribute:stack ==',
    'color == red',
    'attribute:stack ~~ x',
    'attribute:stack in a, b',
    'attribute:stack in []',
    '(attribute:stack == prod',
    'attribute:stack == prod and',
    'attribute:stack == prod extra',
    'attribute:stack =~ (',
  ])('%j is malformed', (expression) => {
    expect(() => parseExpression(expression)).toThrow(ExpressionError);
  });
});

const instance = (id: string, zone: string, cpu = 1024, memory = 2048, extra: Record<string, string> = {}) =>
  ({
    containerInstanceArn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`,
    clusterName: 'c',
    ec2InstanceId: `i-${id}`,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: registeredResources(undefined, { cpu, memory }),
    attributes: [
      { name: 'ecs.availability-zone', value: zone },
      ...Object.entries(extra).map(([name, value]) => ({ name, value })),
    ],
  }) as ContainerInstanceRecord;

const def = (cpu: number, memory: number, hostPort?: number) =>
  ({
    family: 'f',
    networkMode: 'bridge',
    containerDefinitions: [{ name: 'a', cpu, memory, portMappings: hostPort ? [{ containerPort: 80, hostPort }] : [] }],
  }) as unknown as TaskDefinitionRecord;

const base = { live: new Map<string, TaskRecord[]>(), group: 'g', constraints: [], strategy: [] };

describe('placement', () => {
  const [a, b, c] = [instance('a', 'z1'), instance('b', 'z2', 2048), instance('c', 'z1', 1024, 2048, { stack: 'x' })];

  test('binpack(cpu) fills the instance with the least CPU left first', () => {
    const p = place({
      ...base,
      instances: [b, a],
      definition: def(512, 128),
      count: 3,
      strategy: [{ type: 'binpack', field: 'cpu' }],
    });
    expect(p.placed.map((i) => i.ec2InstanceId)).toEqual(['i-a', 'i-a', 'i-b']);
  });

  test('spread(zone) then spread(instance) alternates zones, then instances within a zone', () => {
    const p = place({
      ...base,
      instances: [a, b, c],
      definition: def(128, 128),
      count: 4,
      strategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'spread', field: 'instanceId' },
      ],
    });
    const zones = p.placed.map((i) => i.attributes.find((x) => x.name === 'ecs.availability-zone')!.value);
    expect(zones.filter((z) => z === 'z1')).toHaveLength(2);
    expect(zones.filter((z) => z === 'z2')).toHaveLength(2);
    expect(new Set(p.placed.filter((i) => i !== b).map((i) => i.ec2InstanceId)).size).toBe(2);
  });

  test('memberOf keeps tasks to matching instances; what is left over fails with the reasons', () => {
    const p = place({
      ...base,
      instances: [a, c],
      definition: def(512, 128),
      count: 3,
      constraints: [{ type: 'memberOf', expression: 'attribute:stack == x' }],
    });
    expect(p.placed.map((i) => i.ec2InstanceId)).toEqual(['i-c', 'i-c']);
    expect(p.failures).toEqual(
      expect.arrayContaining([
        { arn: a.containerInstanceArn, reason: 'MemberOf placement constraint unsatisfied.' },
        { arn: c.containerInstanceArn, reason: 'RESOURCE:CPU' },
      ]),
    );
  });

  test('distinctInstance puts one task of the group per instance', () => {
    const p = place({
      ...base,
      instances: [a, b],
      definition: def(1, 1),
      count: 3,
      constraints: [{ type: 'distinctInstance' }],
    });
    expect(p.placed).toHaveLength(2);
    expect(new Set(p.placed)).toEqual(new Set([a, b]));
  });

  test('memory and host ports are resources too; the agent reserved ports are taken', () => {
    expect(place({ ...base, instances: [a], definition: def(1, 4096), count: 1 }).failures).toEqual([
      { arn: a.containerInstanceArn, reason: 'RESOURCE:MEMORY' },
    ]);
    expect(place({ ...base, instances: [a], definition: def(1, 1, 8080), count: 2 }).failures).toEqual([
      { arn: a.containerInstanceArn, reason: 'RESOURCE:PORTS' },
    ]);
    expect(place({ ...base, instances: [a], definition: def(1, 1, 22), count: 1 }).placed).toEqual([]);
  });

  test('no ACTIVE instance is its own outcome; a DRAINING or disconnected one takes nothing', () => {
    expect(place({ ...base, instances: [], definition: def(1, 1), count: 1 }).noInstances).toBe(true);
    const draining = { ...a, status: 'DRAINING' };
    expect(place({ ...base, instances: [draining], definition: def(1, 1), count: 1 }).noInstances).toBe(true);
    const lost = { ...a, agentConnected: false };
    expect(place({ ...base, instances: [lost], definition: def(1, 1), count: 1 }).failures).toEqual([
      { arn: a.containerInstanceArn, reason: 'AGENT' },
    ]);
  });

  test('tasks already on an instance debit it', () => {
    const running = {
      containerInstanceArn: a.containerInstanceArn,
      definition: def(768, 128),
      lastStatus: 'RUNNING',
      group: 'g',
    };
    const live = new Map([[a.containerInstanceArn, [running as unknown as TaskRecord]]]);
    const p = place({ ...base, live, instances: [a], definition: def(512, 128), count: 1 });
    expect(p.failures).toEqual([{ arn: a.containerInstanceArn, reason: 'RESOURCE:CPU' }]);
  });
});
