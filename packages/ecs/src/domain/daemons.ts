/**
 * ECS daemons (for ECS Managed Instances capacity providers): daemon task definitions with
 * revisions, daemons with their revisions and deployments, and what a daemon's tasks run as.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import { clone, ServiceError } from '@dockside/core';
import { clientException, invalidParameter } from '../errors';
import type {
  DaemonDeploymentRecord,
  DaemonRecord,
  DaemonTaskDefinitionRecord,
  EcsState,
  TaskDefinitionRecord,
  TaskRecord,
} from '../state/types';
import type { Where } from './context';
import { ecsArn } from './arn';

export const daemonNotFound = () =>
  new ServiceError(
    'DaemonNotFoundException',
    "The specified daemon wasn't found. Verify the daemon ARN and try again.",
  );
export const daemonNotActive = () =>
  new ServiceError('DaemonNotActiveException', 'The specified daemon is not active. It is being deleted.');

/** `family`, `family:rev` or the ARN → the record (by family: the latest ACTIVE revision). */
export function findDaemonTaskDefinition(state: EcsState, ref: string | undefined): DaemonTaskDefinitionRecord {
  const name = ref?.startsWith('arn:') ? ref.slice(ref.indexOf('daemon-task-definition/') + 23) : (ref ?? '');
  const [family, rev] = name.split(':');
  const revisions = state.daemonTaskDefinitions[family] ?? {};
  const td =
    rev === undefined
      ? Object.values(revisions)
          .filter((t) => t.status === 'ACTIVE')
          .sort((a, b) => b.revision - a.revision)[0]
      : revisions[Number(rev)];
  if (!td || (rev !== undefined && !/^\d+$/.test(rev)))
    throw clientException('The specified daemon task definition does not exist.');
  return td;
}

export function registerDaemonTaskDefinition(
  state: EcsState,
  where: Where,
  input: ECS.RegisterDaemonTaskDefinitionRequest,
  registeredBy: string,
): DaemonTaskDefinitionRecord {
  const family = input.family!;
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(family))
    throw clientException(
      'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
    );
  const containers = input.containerDefinitions ?? [];
  if (!containers.length) throw clientException('Container list cannot be empty.');
  const names = new Set<string>();
  for (const c of containers) {
    if (!c.name) throw clientException('Container.name should not be null or empty.');
    if (names.has(c.name)) throw clientException(`Duplicate container names are not allowed: '${c.name}'.`);
    names.add(c.name);
  }
  if (!containers.some((c) => c.essential !== false))
    throw clientException('A daemon task definition must have at least one essential container.');
  const revisions = (state.daemonTaskDefinitions[family] ??= {});
  const revision = Math.max(0, ...Object.keys(revisions).map(Number)) + 1;
  const td: DaemonTaskDefinitionRecord = {
    daemonTaskDefinitionArn: ecsArn(where, `daemon-task-definition/${family}:${revision}`),
    family,
    revision,
    containerDefinitions: containers.map((c) => ({ essential: true, ...c })),
    ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
    ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
    ...(input.cpu ? { cpu: input.cpu } : {}),
    ...(input.memory ? { memory: input.memory } : {}),
    volumes: input.volumes ?? [],
    ...(input.pidMode ? { pidMode: input.pidMode } : {}),
    ...(input.ipcMode ? { ipcMode: input.ipcMode } : {}),
    status: 'ACTIVE',
    registeredAt: new Date(),
    registeredBy,
  };
  revisions[revision] = td;
  return td;
}

/** A daemon task definition as the task runtime runs it (containers without ports, host volumes). */
export function asTaskDefinition(td: DaemonTaskDefinitionRecord): TaskDefinitionRecord {
  return {
    taskDefinitionArn: td.daemonTaskDefinitionArn,
    family: td.family,
    revision: td.revision,
    containerDefinitions: (td.containerDefinitions ?? []) as ECS.ContainerDefinition[],
    networkMode: 'bridge',
    volumes: (td.volumes ?? []) as ECS.Volume[],
    requiresCompatibilities: ['MANAGED_INSTANCES'],
    ...(td.cpu ? { cpu: td.cpu } : {}),
    ...(td.memory ? { memory: td.memory } : {}),
    ...(td.taskRoleArn ? { taskRoleArn: td.taskRoleArn } : {}),
    ...(td.executionRoleArn ? { executionRoleArn: td.executionRoleArn } : {}),
    status: 'ACTIVE',
  } as TaskDefinitionRecord;
}

/** The `startedBy` of a daemon task: which revision of the daemon it runs. */
export const revisionTag = (revisionArn: string) =>
  `daemon-revision/${revisionArn.slice(revisionArn.lastIndexOf('/') + 1)}`;

/** The `group` of a daemon's tasks. */
export const daemonGroup = (d: Pick<DaemonRecord, 'daemonName'>) => `daemon:${d.daemonName}`;

/** The live (not STOPPED) tasks of a daemon. */
export const daemonTasks = (state: EcsState, d: DaemonRecord): TaskRecord[] =>
  Object.values(state.tasks).filter(
    (t) => t.group === daemonGroup(d) && t.clusterArn === d.clusterArn && t.lastStatus !== 'STOPPED',
  );

/** The container instances a daemon covers: every one of its capacity providers in its cluster. */
export function daemonInstances(state: EcsState, d: DaemonRecord) {
  const cluster = d.clusterArn.slice(d.clusterArn.lastIndexOf('/') + 1);
  const providers = new Set(d.capacityProviderArns.map((a) => a.slice(a.lastIndexOf('/') + 1)));
  return Object.values(state.containerInstances).filter(
    (ci) =>
      ci.clusterName === cluster && ci.capacityProviderName !== undefined && providers.has(ci.capacityProviderName),
  );
}

/** Checks that every provider is an ACTIVE Managed Instances provider; returns their ARNs. */
export function daemonProviders(state: EcsState, arns: string[] | undefined): string[] {
  if (!arns?.length) throw invalidParameter('capacityProviderArns must contain at least one capacity provider.');
  return arns.map((ref) => {
    const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
    const p = state.capacityProviders[name];
    if (!p || p.status !== 'ACTIVE') throw invalidParameter(`The specified capacity provider ${ref} does not exist.`);
    if (p.type !== 'MANAGED_INSTANCES')
      throw invalidParameter(
        `The capacity provider ${p.name} is not an Amazon ECS Managed Instances capacity provider. Daemons can only use Amazon ECS Managed Instances capacity providers.`,
      );
    return p.capacityProviderArn;
  });
}

/** Per provider: instances running the target revision, and instances without it. */
export function revisionCounts(state: EcsState, d: DaemonRecord, revisionArn: string) {
  const tasks = daemonTasks(state, d);
  return d.capacityProviderArns.map((arn) => {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const instances = daemonInstances(state, d).filter(
      (ci) => ci.capacityProviderName === name && ci.status === 'ACTIVE',
    );
    const running = instances.filter((ci) =>
      tasks.some(
        (t) =>
          t.containerInstanceArn === ci.containerInstanceArn &&
          t.startedBy === revisionTag(revisionArn) &&
          t.lastStatus === 'RUNNING',
      ),
    ).length;
    return { arn, running, without: instances.length - running };
  });
}

/** DescribeDaemonDeployments' shape, with live instance counts. */
export function deploymentView(state: EcsState, dep: DaemonDeploymentRecord): ECS.DaemonDeployment {
  const d = state.daemons[dep.daemonArn];
  const target = dep.targetDaemonRevision?.arn;
  if (!d || !target || dep.status !== 'IN_PROGRESS') return clone(dep);
  const counts = revisionCounts(state, d, target);
  return {
    ...clone(dep),
    targetDaemonRevision: {
      arn: target,
      capacityProviders: counts.map((c) => ({
        arn: c.arn,
        runningInstanceCount: c.running,
        withoutDaemonInstanceCount: c.without,
        drainingInstanceCount: 0,
      })),
      totalRunningInstanceCount: counts.reduce((n, c) => n + c.running, 0),
      totalWithoutDaemonInstanceCount: counts.reduce((n, c) => n + c.without, 0),
      totalDrainingInstanceCount: 0,
    },
  };
}
