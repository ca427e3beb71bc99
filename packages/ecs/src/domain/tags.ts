import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, type RequestContext } from '@dockside/core';
import {
  clientException,
  clusterNotFound,
  invalidParameter,
  serviceNotFound,
  taskNotFound,
  taskSetNotFound,
} from '../errors';
import type { EcsState } from '../state/types';
import { parseEcsArn } from './arn';

/**
 * Tags of every taggable ECS resource live in one map by ARN. Each taggable ARN type has an
 * existence check and the error ECS gives when the resource is missing.
 */
type Taggable = { exists: (state: EcsState, arn: string, id: string) => boolean; notFound: () => ServiceError };
const TAGGABLE: Readonly<Record<string, Taggable>> = {
  cluster: { exists: (state, _arn, id) => state.clusters[id]?.status === 'ACTIVE', notFound: clusterNotFound },
  'container-instance': {
    exists: (state, arn) => state.containerInstances[arn]?.status === 'ACTIVE',
    notFound: clusterNotFound,
  },
  task: { exists: (state, arn) => Boolean(state.tasks[arn]), notFound: taskNotFound },
  'task-definition': {
    exists: (state, _arn, id) => {
      const [family, rev] = id.split(':');
      return Boolean(state.taskDefinitions[family]?.[Number(rev)]);
    },
    notFound: () => clientException('Unable to describe task definition.'),
  },
  service: {
    exists: (state, arn) => (state.services[arn]?.status ?? 'INACTIVE') !== 'INACTIVE',
    notFound: serviceNotFound,
  },
  'capacity-provider': {
    exists: (state, _arn, id) => state.capacityProviders?.[id]?.status === 'ACTIVE',
    notFound: () => invalidParameter('The specified capacity provider does not exist.'),
  },
  gateway: {
    exists: (state, arn) => state.gateways[arn]?.status !== undefined && state.gateways[arn].status !== 'DELETED',
    notFound: () => new ServiceError('GatewayNotFoundException', "The specified gateway wasn't found."),
  },
  'task-set': {
    exists: (state, arn) => Object.values(state.services).some((s) => s.taskSets.some((t) => t.taskSetArn === arn)),
    notFound: taskSetNotFound,
  },
};

const MAX_TAGS = 50;

export function tagsOf(state: EcsState, arn: string): ECS.Tag[] {
  return (state.tags[arn] ?? []).map((t) => ({ ...t }));
}

export function deleteTags(state: EcsState, arn: string): void {
  delete state.tags[arn];
}

function checkTag(t: ECS.Tag) {
  const key = t.key ?? '';
  if (key.length < 1 || key.length > 128) {
    throw invalidParameter('Tag keys must be between 1 and 128 characters in length.');
  }
  if ((t.value ?? '').length > 256) {
    throw invalidParameter('Tag values must be between 0 and 256 characters in length.');
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw invalidParameter('Tag keys and values prefixed with aws: are reserved for AWS use and cannot be used.');
  }
}

/**
 * Validates then stores tags (merging by key unless `replace`); nothing is stored on error.
 * `system` tags (ECS managed tags such as `aws:ecs:serviceName`) skip the check for `aws:` keys.
 */
export function setTags(
  state: EcsState,
  arn: string,
  tags: ECS.Tag[],
  opts: { replace?: boolean; system?: ECS.Tag[] } = {},
): void {
  tags.forEach(checkTag);
  tags = [...tags, ...(opts.system ?? [])];
  const merged = new Map((opts.replace ? [] : (state.tags[arn] ?? [])).map((t) => [t.key!, t.value ?? '']));
  for (const t of tags) merged.set(t.key!, t.value ?? '');
  if (merged.size > MAX_TAGS) {
    throw invalidParameter(`The resource can have at most ${MAX_TAGS} tags.`);
  }
  if (merged.size) state.tags[arn] = [...merged].map(([key, value]) => ({ key, value }));
  else delete state.tags[arn];
}

export function existingResource(state: EcsState, ctx: RequestContext, arn: string): string {
  const p = parseEcsArn(arn);
  if (!p || !TAGGABLE[p.type]) {
    throw invalidParameter(`The ARN ${arn} is not a valid ECS resource ARN.`);
  }
  const kind = TAGGABLE[p.type];
  if (p.region !== ctx.region || p.accountId !== ctx.accountId || !kind.exists(state, arn, p.id)) throw kind.notFound();
  return arn;
}
