/**
 * Daemons, all twelve operations: daemon task definitions (Register/Describe/List/Delete), daemons
 * (Create/Describe/List/Update/Delete), their deployments (Describe/List) and revisions (Describe).
 * The daemon scheduler (../scheduler/daemons.ts) runs one task per container instance.
 */
import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { clone, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { rootPrincipal } from '../domain/account-settings';
import { ecsArn } from '../domain/arn';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import {
  daemonNotActive,
  daemonNotFound,
  daemonProviders,
  deploymentView,
  findDaemonTaskDefinition,
  registerDaemonTaskDefinition,
  revisionCounts,
} from '../domain/daemons';
import { setTags } from '../domain/tags';
import { clientException, invalidParameter } from '../errors';
import type { DaemonDeploymentRecord, DaemonRecord, EcsState } from '../state/types';

const DEFAULT_DEPLOYMENT: ECS.DaemonDeploymentConfiguration = { drainPercent: 25, bakeTimeInMinutes: 0 };
const short = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function getDaemon(state: EcsState, arn: string | undefined): DaemonRecord {
  const d = arn ? state.daemons[arn] : undefined;
  if (!d) throw daemonNotFound();
  return d;
}

/** A new revision and the deployment that rolls it out (the previous one stops where it is). */
function deploy(
  state: EcsState,
  ctx: RequestContext,
  d: DaemonRecord,
  input: ECS.CreateDaemonRequest | ECS.UpdateDaemonRequest,
): DaemonDeploymentRecord {
  const td = findDaemonTaskDefinition(state, input.daemonTaskDefinitionArn);
  if (td.status !== 'ACTIVE') throw clientException('The specified daemon task definition is not ACTIVE.');
  const cluster = short(d.clusterArn);
  const n = ++d.revisionCount;
  const now = new Date();
  const revisionArn = ecsArn(ctx, `daemon-revision/${cluster}/${d.daemonName}/${n}`);
  state.daemonRevisions[revisionArn] = {
    daemonRevisionArn: revisionArn,
    clusterArn: d.clusterArn,
    daemonArn: d.daemonArn,
    daemonTaskDefinitionArn: td.daemonTaskDefinitionArn,
    createdAt: now,
    containerImages: (td.containerDefinitions ?? []).map((c) => ({ containerName: c.name, image: c.image })),
    propagateTags: input.propagateTags ?? 'NONE',
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    critical: input.critical ?? false,
  };
  const previous = state.daemonDeployments[d.deploymentArn];
  if (previous && (previous.status === 'IN_PROGRESS' || previous.status === 'PENDING')) {
    previous.status = 'STOPPED';
    previous.statusReason = 'A newer deployment of the daemon replaced this deployment.';
    previous.stoppedAt = now;
  }
  const id = randomBytes(9).toString('hex').slice(0, 12);
  const dep: DaemonDeploymentRecord = {
    daemonDeploymentArn: ecsArn(ctx, `daemon-deployment/${cluster}/${d.daemonName}/${id}`),
    daemonArn: d.daemonArn,
    clusterArn: d.clusterArn,
    status: 'IN_PROGRESS',
    statusReason: 'The daemon deployment is in progress.',
    targetDaemonRevision: { arn: revisionArn },
    sourceDaemonRevisions: previous?.targetDaemonRevision?.arn ? [{ arn: previous.targetDaemonRevision.arn }] : [],
    circuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    deploymentConfiguration: d.deploymentConfiguration,
    createdAt: now,
    startedAt: now,
  };
  state.daemonDeployments[dep.daemonDeploymentArn] = dep;
  d.revisionArn = revisionArn;
  d.deploymentArn = dep.daemonDeploymentArn;
  d.updatedAt = now;
  return dep;
}

export function daemonOperations(dom: EcsDomain): OperationMap {
  return {
    RegisterDaemonTaskDefinition(input: ECS.RegisterDaemonTaskDefinitionRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const td = registerDaemonTaskDefinition(state, ctx, input, rootPrincipal(ctx));
      if (input.tags?.length) setTags(state, td.daemonTaskDefinitionArn, input.tags, { replace: true });
      return { daemonTaskDefinitionArn: td.daemonTaskDefinitionArn };
    },

    DescribeDaemonTaskDefinition(input: ECS.DescribeDaemonTaskDefinitionRequest, ctx: RequestContext) {
      const td = findDaemonTaskDefinition(dom.stateOf(ctx), input.daemonTaskDefinition);
      return { daemonTaskDefinition: clone(td) };
    },

    ListDaemonTaskDefinitions(input: ECS.ListDaemonTaskDefinitionsRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const status = input.status ?? 'ACTIVE';
      let all = Object.values(state.daemonTaskDefinitions)
        .flatMap((revs) => Object.values(revs))
        .filter(
          (t) =>
            (status === 'ALL' || t.status === status) &&
            (!input.family || t.family === input.family) &&
            (!input.familyPrefix || t.family!.startsWith(input.familyPrefix)),
        );
      if (input.revision === 'LAST_REGISTERED') {
        const last = new Map<string, (typeof all)[number]>();
        for (const t of all) if ((last.get(t.family)?.revision ?? 0) < t.revision) last.set(t.family, t);
        all = [...last.values()];
      }
      const key = (t: (typeof all)[number]) => `${t.family}:${String(t.revision).padStart(10, '0')}`;
      all.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      if (input.sort === 'DESC') all.reverse();
      const { page, nextToken } = paginate(all, key, input, { defaultMax: 100, maxLimit: 100 });
      return {
        daemonTaskDefinitions: page.map((t) => ({
          arn: t.daemonTaskDefinitionArn,
          registeredAt: t.registeredAt,
          registeredBy: t.registeredBy,
          status: t.status,
          ...(t.deleteRequestedAt ? { deleteRequestedAt: t.deleteRequestedAt } : {}),
        })),
        nextToken,
      };
    },

    DeleteDaemonTaskDefinition(input: ECS.DeleteDaemonTaskDefinitionRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      if (!input.daemonTaskDefinition?.includes(':'))
        throw invalidParameter('The daemon task definition must be given with its revision (family:revision).');
      const td = findDaemonTaskDefinition(state, input.daemonTaskDefinition);
      if (td.status !== 'ACTIVE') throw clientException('The specified daemon task definition is not ACTIVE.');
      td.status = 'DELETE_IN_PROGRESS';
      td.deleteRequestedAt = new Date();
      return { daemonTaskDefinitionArn: td.daemonTaskDefinitionArn };
    },

    CreateDaemon(input: ECS.CreateDaemonRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.clusterArn);
      const name = input.daemonName!;
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(name))
        throw invalidParameter(
          'Daemon name contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
        );
      const arn = ecsArn(ctx, `daemon/${cluster.clusterName}/${name}`);
      if (state.daemons[arn]) throw invalidParameter(`A daemon named ${name} already exists in the cluster.`);
      const now = new Date();
      const d: DaemonRecord = {
        daemonArn: arn,
        daemonName: name,
        clusterArn: cluster.clusterArn,
        status: 'ACTIVE',
        createdAt: now,
        updatedAt: now,
        revisionArn: '',
        deploymentArn: '',
        capacityProviderArns: daemonProviders(state, input.capacityProviderArns),
        deploymentConfiguration: { ...DEFAULT_DEPLOYMENT, ...input.deploymentConfiguration },
        revisionCount: 0,
      };
      const dep = deploy(state, ctx, d, input);
      state.daemons[arn] = d;
      if (input.tags?.length) setTags(state, arn, input.tags, { replace: true });
      return { daemonArn: arn, status: d.status, createdAt: d.createdAt, deploymentArn: dep.daemonDeploymentArn };
    },

    DescribeDaemon(input: ECS.DescribeDaemonRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const d = getDaemon(state, input.daemonArn);
      // Every revision some instance still runs, the current one first.
      const revisions = new Set([d.revisionArn]);
      for (const t of Object.values(state.tasks))
        if (t.group === `daemon:${d.daemonName}` && t.clusterArn === d.clusterArn && t.lastStatus !== 'STOPPED') {
          const n = t.startedBy?.split('/')[1];
          if (n) revisions.add(d.revisionArn.replace(/\/\d+$/, `/${n}`));
        }
      return {
        daemon: {
          daemonArn: d.daemonArn,
          clusterArn: d.clusterArn,
          status: d.status,
          currentRevisions: [...revisions].map((arn) => {
            const counts = revisionCounts(state, d, arn);
            return {
              arn,
              capacityProviders: counts.map((c) => ({
                arn: c.arn,
                runningCount: c.running,
                withoutDaemonCount: c.without,
              })),
              totalRunningCount: counts.reduce((n, c) => n + c.running, 0),
              totalWithoutDaemonCount: counts.reduce((n, c) => n + c.without, 0),
            };
          }),
          deploymentArn: d.deploymentArn,
          createdAt: d.createdAt,
          updatedAt: d.updatedAt,
        },
      };
    },

    ListDaemons(input: ECS.ListDaemonsRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const cluster = input.clusterArn ? activeCluster(state, ctx, input.clusterArn).clusterArn : undefined;
      const wanted = (input.capacityProviderArns ?? []).map(short);
      const all = Object.values(state.daemons)
        .filter(
          (d) =>
            (!cluster || d.clusterArn === cluster) &&
            (!wanted.length || d.capacityProviderArns.some((a) => wanted.includes(short(a)))),
        )
        .sort((a, b) => (a.daemonArn < b.daemonArn ? -1 : 1));
      const { page, nextToken } = paginate(all, (d) => d.daemonArn, input, { defaultMax: 100, maxLimit: 100 });
      return {
        daemonSummariesList: page.map((d) => ({
          daemonArn: d.daemonArn,
          status: d.status,
          createdAt: d.createdAt,
          updatedAt: d.updatedAt,
        })),
        nextToken,
      };
    },

    UpdateDaemon(input: ECS.UpdateDaemonRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const d = getDaemon(state, input.daemonArn);
      if (d.status !== 'ACTIVE') throw daemonNotActive();
      d.capacityProviderArns = daemonProviders(state, input.capacityProviderArns);
      if (input.deploymentConfiguration)
        d.deploymentConfiguration = { ...DEFAULT_DEPLOYMENT, ...input.deploymentConfiguration };
      const dep = deploy(state, ctx, d, input);
      return {
        daemonArn: d.daemonArn,
        status: d.status,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
        deploymentArn: dep.daemonDeploymentArn,
      };
    },

    DeleteDaemon(input: ECS.DeleteDaemonRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const d = getDaemon(state, input.daemonArn);
      if (d.status !== 'ACTIVE') throw daemonNotActive();
      d.status = 'DELETE_IN_PROGRESS';
      d.updatedAt = new Date();
      const dep = state.daemonDeployments[d.deploymentArn];
      if (dep?.status === 'IN_PROGRESS') {
        dep.status = 'STOPPED';
        dep.statusReason = 'The daemon is being deleted.';
        dep.stoppedAt = d.updatedAt;
      }
      return {
        daemonArn: d.daemonArn,
        status: d.status,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
        deploymentArn: d.deploymentArn,
      };
    },

    DescribeDaemonDeployments(input: ECS.DescribeDaemonDeploymentsRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const { found, failures } = byArns(input.daemonDeploymentArns, (arn) => state.daemonDeployments[arn]);
      const daemonDeployments = found.map((dep) => {
        const { daemonArn: _d, ...view } = deploymentView(state, dep) as DaemonDeploymentRecord;
        return view as ECS.DaemonDeployment;
      });
      return { daemonDeployments, failures };
    },

    ListDaemonDeployments(input: ECS.ListDaemonDeploymentsRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      getDaemon(state, input.daemonArn);
      const after = input.createdAt?.after ? new Date(input.createdAt.after as Date).getTime() : -Infinity;
      const before = input.createdAt?.before ? new Date(input.createdAt.before as Date).getTime() : Infinity;
      const all = Object.values(state.daemonDeployments)
        .filter((dep) => {
          const at = new Date(dep.createdAt!).getTime();
          return (
            dep.daemonArn === input.daemonArn &&
            (!input.status?.length || input.status.includes(dep.status!)) &&
            at >= after &&
            at <= before
          );
        })
        .sort((a, b) => new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime());
      const { page, nextToken } = paginate(all, (dep) => dep.daemonDeploymentArn, input, {
        defaultMax: 100,
        maxLimit: 100,
      });
      return {
        daemonDeployments: page.map((dep) => ({
          daemonDeploymentArn: dep.daemonDeploymentArn,
          daemonArn: dep.daemonArn,
          clusterArn: dep.clusterArn,
          status: dep.status,
          statusReason: dep.statusReason,
          targetDaemonRevisionArn: dep.targetDaemonRevision?.arn,
          createdAt: dep.createdAt,
          startedAt: dep.startedAt,
          stoppedAt: dep.stoppedAt,
          finishedAt: dep.finishedAt,
        })),
        nextToken,
      };
    },

    DescribeDaemonRevisions(input: ECS.DescribeDaemonRevisionsRequest, ctx: RequestContext) {
      const state = dom.stateOf(ctx);
      const { found, failures } = byArns(input.daemonRevisionArns, (arn) => state.daemonRevisions[arn]);
      return { daemonRevisions: found.map((r) => clone(r)), failures };
    },
  };
}

/** Describe-by-ARN: the records found, and a MISSING failure for each ARN that names none. */
function byArns<T>(arns: string[] | undefined, get: (arn: string) => T | undefined) {
  const found: T[] = [];
  const failures: ECS.Failure[] = [];
  for (const arn of arns ?? []) {
    const x = get(arn);
    if (x) found.push(x);
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { found, failures };
}
