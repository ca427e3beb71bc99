/**
 * Capacity providers: the built-in FARGATE and FARGATE_SPOT, and Auto Scaling group providers
 * whose instances are Dockside's virtual container instances (managed scaling adds them when
 * tasks cannot be placed). Strategies split tasks by `base`, then by `weight`.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { RequestContext } from '@dockside/core';
import { clientException, invalidParameter } from '../errors';
import type { CapacityProviderRecord, ContainerInstanceRecord, EcsState, TaskRecord } from '../state/types';
import { ecsArn } from './arn';

export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];
const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export const isFargateProvider = (name: string | undefined) => FARGATE_PROVIDERS.includes(name ?? '');

export function checkProviderName(name: string | undefined): void {
  if (!name || !NAME.test(name) || /^(aws|ecs|fargate)/i.test(name)) {
    throw clientException(
      'The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed with "aws", "ecs", or "fargate". Specify a valid name and try again.',
    );
  }
}

/** The managed scaling settings with ECS's defaults filled in. */
export function managedScaling(m: ECS.ManagedScaling | undefined, current?: ECS.ManagedScaling): ECS.ManagedScaling {
  const out: ECS.ManagedScaling = {
    status: 'DISABLED',
    targetCapacity: 100,
    minimumScalingStepSize: 1,
    maximumScalingStepSize: 10000,
    instanceWarmupPeriod: 300,
    ...current,
    ...m,
  };
  if (out.targetCapacity! < 1 || out.targetCapacity! > 100)
    throw invalidParameter('targetCapacity must be between 1 and 100.');
  if (out.minimumScalingStepSize! < 1 || out.minimumScalingStepSize! > 10000)
    throw invalidParameter('minimumScalingStepSize must be between 1 and 10000.');
  if (out.maximumScalingStepSize! < out.minimumScalingStepSize! || out.maximumScalingStepSize! > 10000)
    throw invalidParameter('maximumScalingStepSize must be between minimumScalingStepSize and 10000.');
  return out;
}

export function newProvider(
  ctx: Pick<RequestContext, 'accountId' | 'region'>,
  input: ECS.CreateCapacityProviderRequest,
): CapacityProviderRecord {
  const asg = input.autoScalingGroupProvider!;
  const scaling = managedScaling(asg.managedScaling);
  if (asg.managedTerminationProtection === 'ENABLED' && scaling.status !== 'ENABLED') {
    throw clientException(
      'The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the capacity provider must have managed scaling enabled.',
    );
  }
  return {
    capacityProviderArn: ecsArn(ctx, `capacity-provider/${input.name}`),
    name: input.name!,
    status: 'ACTIVE',
    type: 'EC2_AUTOSCALING',
    autoScalingGroupProvider: {
      autoScalingGroupArn: asg.autoScalingGroupArn,
      managedScaling: scaling,
      managedTerminationProtection: asg.managedTerminationProtection ?? 'DISABLED',
      managedDraining: asg.managedDraining ?? 'ENABLED',
    },
  };
}

/** An ECS Managed Instances provider, optionally scoped to one cluster. */
export function managedInstancesProvider(
  ctx: Pick<RequestContext, 'accountId' | 'region'>,
  input: ECS.CreateCapacityProviderRequest,
  cluster: string | undefined,
): CapacityProviderRecord {
  const mi = input.managedInstancesProvider!;
  return {
    capacityProviderArn: ecsArn(ctx, `capacity-provider/${input.name}`),
    name: input.name!,
    ...(cluster ? { cluster } : {}),
    status: 'ACTIVE',
    type: 'MANAGED_INSTANCES',
    managedInstancesProvider: { ...mi, propagateTags: mi.propagateTags ?? 'NONE' },
  };
}

export const fargateView = (name: string): ECS.CapacityProvider => ({
  capacityProviderArn: `arn:aws:ecs:::capacity-provider/${name}`,
  name,
  status: 'ACTIVE',
  type: name as ECS.CapacityProviderType,
  tags: [],
});

/** Whether `name` may be associated with a cluster: FARGATE, FARGATE_SPOT or an ACTIVE provider. */
export function checkProvidersExist(state: EcsState, names: string[] | undefined): void {
  for (const n of names ?? []) {
    if (isFargateProvider(n)) continue;
    const p = state.capacityProviders[n];
    if (!p || p.status !== 'ACTIVE') {
      throw invalidParameter(
        `The specified capacity provider '${n}' does not exist. Specify a valid capacity provider and try again.`,
      );
    }
  }
}

/**
 * Which provider each of `count` tasks goes to: `base` tasks on the provider that has one, the rest
 * split by weight (a provider's share is its weight over the total; ties go in strategy order).
 * `already` counts tasks the providers have (a service's base counts its running tasks).
 */
export function distribute(
  strategy: ECS.CapacityProviderStrategyItem[],
  count: number,
  already: Map<string, number> = new Map(),
): string[] {
  const have = new Map(strategy.map((s) => [s.capacityProvider!, already.get(s.capacityProvider!) ?? 0]));
  const out: string[] = [];
  const withBase = strategy.find((s) => (s.base ?? 0) > 0);
  const total = strategy.reduce((a, s) => a + (s.weight ?? 0), 0);
  for (let i = 0; i < count; i++) {
    let pick: string | undefined;
    if (withBase && have.get(withBase.capacityProvider!)! < withBase.base!) pick = withBase.capacityProvider!;
    else if (total > 0) {
      // The provider furthest below its weighted share of the tasks placed by weight so far.
      const byWeight =
        [...have.values()].reduce((a, n) => a + n, 0) -
        Math.min(withBase?.base ?? 0, have.get(withBase?.capacityProvider ?? '') ?? 0);
      let best = -Infinity;
      for (const s of strategy) {
        const w = s.weight ?? 0;
        if (!w) continue;
        const baseShare = s === withBase ? Math.min(s.base ?? 0, have.get(s.capacityProvider!)!) : 0;
        const deficit = ((byWeight + 1) * w) / total - (have.get(s.capacityProvider!)! - baseShare);
        if (deficit > best + 1e-9) {
          best = deficit;
          pick = s.capacityProvider!;
        }
      }
    }
    pick ??= strategy[0].capacityProvider!;
    have.set(pick, have.get(pick)! + 1);
    out.push(pick);
  }
  return out;
}

/**
 * Managed scale-in: the virtual instances of a provider with managed scaling (or of an ECS Managed
 * Instances provider) that have run nothing but daemon tasks for `afterMs` are terminated, down to
 * what `targetCapacity` keeps (instances in use × 100 / targetCapacity). Instances with tasks are
 * never taken. Returns the instances terminated (their status is now INACTIVE).
 */
export function scaleIn(
  state: EcsState,
  live: Map<string, TaskRecord[]>,
  now: number,
  afterMs: number,
): ContainerInstanceRecord[] {
  const gone: ContainerInstanceRecord[] = [];
  for (const p of Object.values(state.capacityProviders)) {
    const scaling = p.autoScalingGroupProvider?.managedScaling;
    if (p.status !== 'ACTIVE' || (scaling?.status !== 'ENABLED' && p.type !== 'MANAGED_INSTANCES')) continue;
    const instances = Object.values(state.containerInstances).filter(
      (ci) => ci.virtual && ci.capacityProviderName === p.name && ci.status !== 'INACTIVE',
    );
    const busy = (ci: ContainerInstanceRecord) =>
      (live.get(ci.containerInstanceArn) ?? []).some((t) => !t.group?.startsWith('daemon:'));
    let inUse = 0;
    for (const ci of instances) {
      if (busy(ci)) {
        inUse++;
        delete ci.idleSince;
      } else ci.idleSince ??= now;
    }
    const keep = Math.ceil((inUse * 100) / (scaling?.targetCapacity ?? 100));
    const idle = instances
      .filter((ci) => !busy(ci) && now - ci.idleSince! >= afterMs)
      .sort((a, b) => a.idleSince! - b.idleSince!);
    for (const ci of idle.slice(0, Math.max(0, instances.length - keep))) {
      ci.status = 'INACTIVE';
      ci.agentConnected = false;
      ci.version = (ci.version ?? 0) + 1;
      delete ci.idleSince;
      gone.push(ci);
    }
  }
  return gone;
}
