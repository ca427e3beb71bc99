/**
 * What the page shows, read through each service's own API (as a user's SDK would see it) for one
 * account and region. Secret and parameter values are never read: names and versions only.
 */
import { chunks, listAll, type AwsCall } from './aws';

type Json = any;

export interface Snapshot {
  clusters: Json[];
  services: Json[];
  tasks: Json[];
  loadBalancers: Json[];
  targetGroups: Json[];
  eventBuses: Json[];
  repositories: Json[];
  secrets: Json[];
  parameters: Json[];
  logGroups: Json[];
  /** Which services answer here (the page hides the others). */
  loaded: string[];
}

async function ecsState(call: AwsCall) {
  const arns = await listAll<string>(call, 'ecs', 'ListClusters', 'clusterArns');
  const clusters: Json[] = [];
  for (const c of chunks(arns, 100))
    clusters.push(
      ...((await call('ecs', 'DescribeClusters', { clusters: c, include: ['STATISTICS'] }))?.clusters ?? []),
    );
  const services: Json[] = [];
  const tasks: Json[] = [];
  for (const cluster of clusters) {
    const serviceArns = await listAll<string>(call, 'ecs', 'ListServices', 'serviceArns', {
      cluster: cluster.clusterArn,
    });
    for (const c of chunks(serviceArns, 10))
      services.push(
        ...((await call('ecs', 'DescribeServices', { cluster: cluster.clusterArn, services: c }))?.services ?? []),
      );
    const taskArns = [
      ...(await listAll<string>(call, 'ecs', 'ListTasks', 'taskArns', { cluster: cluster.clusterArn })),
      ...(await listAll<string>(call, 'ecs', 'ListTasks', 'taskArns', {
        cluster: cluster.clusterArn,
        desiredStatus: 'STOPPED',
      })),
    ];
    for (const c of chunks(taskArns, 100))
      tasks.push(...((await call('ecs', 'DescribeTasks', { cluster: cluster.clusterArn, tasks: c }))?.tasks ?? []));
  }
  return { clusters, services, tasks };
}

async function elbState(call: AwsCall, listenerUrls: Map<string, string>) {
  const page = { in: 'Marker', out: 'NextMarker' };
  const loadBalancers = await listAll<Json>(
    call,
    'elasticloadbalancing',
    'DescribeLoadBalancers',
    'LoadBalancers',
    {},
    page,
  );
  for (const lb of loadBalancers) {
    const listeners = await listAll<Json>(
      call,
      'elasticloadbalancing',
      'DescribeListeners',
      'Listeners',
      { LoadBalancerArn: lb.LoadBalancerArn },
      page,
    );
    lb.Listeners = listeners.map((l) => ({ ...l, LocalUrl: listenerUrls.get(l.ListenerArn) }));
  }
  const targetGroups = await listAll<Json>(
    call,
    'elasticloadbalancing',
    'DescribeTargetGroups',
    'TargetGroups',
    {},
    page,
  );
  for (const tg of targetGroups) {
    const health = await call('elasticloadbalancing', 'DescribeTargetHealth', { TargetGroupArn: tg.TargetGroupArn });
    tg.Targets = health?.TargetHealthDescriptions ?? [];
  }
  return { loadBalancers, targetGroups };
}

/** How the services with capitalised members page. */
const NEXT_TOKEN = { in: 'NextToken', out: 'NextToken' };

async function eventsState(call: AwsCall) {
  const buses = await listAll<Json>(call, 'events', 'ListEventBuses', 'EventBuses', {}, NEXT_TOKEN);
  for (const bus of buses) {
    const rules = await listAll<Json>(call, 'events', 'ListRules', 'Rules', { EventBusName: bus.Name }, NEXT_TOKEN);
    for (const rule of rules) {
      rule.Targets =
        (await call('events', 'ListTargetsByRule', { Rule: rule.Name, EventBusName: bus.Name }))?.Targets ?? [];
    }
    bus.Rules = rules;
  }
  return buses;
}

async function ecrState(call: AwsCall) {
  const repositories = await listAll<Json>(call, 'ecr', 'DescribeRepositories', 'repositories');
  for (const repo of repositories) {
    repo.images = await listAll<Json>(call, 'ecr', 'DescribeImages', 'imageDetails', {
      repositoryName: repo.repositoryName,
    });
  }
  return repositories;
}

async function secretsState(call: AwsCall) {
  const secrets = (await listAll<Json>(call, 'secretsmanager', 'ListSecrets', 'SecretList', {}, NEXT_TOKEN)).map(
    (s) => ({
      Name: s.Name,
      ARN: s.ARN,
      Description: s.Description,
      LastChangedDate: s.LastChangedDate,
      DeletedDate: s.DeletedDate,
      Versions: Object.entries(s.SecretVersionsToStages ?? {}).map(([id, stages]) => ({ id, stages })),
    }),
  );
  const parameters = (await listAll<Json>(call, 'ssm', 'DescribeParameters', 'Parameters', {}, NEXT_TOKEN)).map(
    (p) => ({
      Name: p.Name,
      Type: p.Type,
      Version: p.Version,
      Tier: p.Tier,
      LastModifiedDate: p.LastModifiedDate,
    }),
  );
  return { secrets, parameters };
}

export async function snapshot(call: AwsCall, loaded: string[], listenerUrls: Map<string, string>): Promise<Snapshot> {
  const [ecs, elb, eventBuses, repositories, secrets, logGroups] = await Promise.all([
    ecsState(call),
    elbState(call, listenerUrls),
    eventsState(call),
    ecrState(call),
    secretsState(call),
    listAll<Json>(call, 'logs', 'DescribeLogGroups', 'logGroups'),
  ]);
  return { ...ecs, ...elb, eventBuses, repositories, ...secrets, logGroups, loaded };
}
