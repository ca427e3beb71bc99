import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { activeCluster } from '../domain/clusters';
import { findContainerInstance } from '../domain/container-instances';
import type { EcsDomain } from '../domain/context';
import { invalidParameter, targetNotFound } from '../errors';
import type { ContainerInstanceRecord, EcsState } from '../state/types';

const NAME = /^[a-zA-Z0-9_.\-@/]{1,128}$/;
const VALUE = /^[a-zA-Z0-9_.\-@/:() ]{1,128}$/;
const MAX_CUSTOM_ATTRIBUTES = 10;

function target(state: EcsState, ctx: RequestContext, clusterName: string, a: ECS.Attribute): ContainerInstanceRecord {
  if (a.targetType && a.targetType !== 'container-instance') {
    throw invalidParameter(`Invalid targetType: ${a.targetType}`);
  }
  if (!a.targetId) {
    throw invalidParameter('An attribute must specify a targetId (a container instance ID or full ARN).');
  }
  const ci = findContainerInstance(state, ctx, clusterName, a.targetId);
  if (!ci || ci.status === 'INACTIVE') {
    throw targetNotFound(`Could not find ${a.targetId}.`);
  }
  return ci;
}

const isCustom = (a: ECS.Attribute) => !a.name!.startsWith('ecs.');

export function attributeOperations(d: EcsDomain): OperationMap {
  return {
    PutAttributes(input: ECS.PutAttributesRequest, ctx): ECS.PutAttributesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const attrs = input.attributes ?? [];
      if (attrs.length > 10) throw invalidParameter('You can specify up to 10 attributes in a single call.');
      // Check everything first so a failing call changes nothing.
      const planned = attrs.map((a) => {
        if (!NAME.test(a.name ?? '')) throw invalidParameter(`Invalid attribute name: ${a.name}`);
        if (a.value !== undefined && !VALUE.test(a.value))
          throw invalidParameter(`Invalid attribute value: ${a.value}`);
        return { a, ci: target(state, ctx, cluster.clusterName, a) };
      });
      const next = new Map<ContainerInstanceRecord, ECS.Attribute[]>();
      for (const { a, ci } of planned) {
        const list = next.get(ci) ?? ci.attributes.map((x) => ({ ...x }));
        const i = list.findIndex((x) => x.name === a.name);
        const stored: ECS.Attribute = { name: a.name, ...(a.value !== undefined ? { value: a.value } : {}) };
        if (i >= 0) list[i] = stored;
        else list.push(stored);
        if (list.filter(isCustom).length > MAX_CUSTOM_ATTRIBUTES) {
          throw new ServiceError(
            'AttributeLimitExceededException',
            `You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes per resource.`,
          );
        }
        next.set(ci, list);
      }
      for (const [ci, list] of next) ci.attributes = list;
      return {
        attributes: planned.map(({ a, ci }) => ({
          ...a,
          targetType: 'container-instance',
          targetId: ci.containerInstanceArn,
        })),
      };
    },
    DeleteAttributes(input: ECS.DeleteAttributesRequest, ctx): ECS.DeleteAttributesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const planned = (input.attributes ?? []).map((a) => ({ a, ci: target(state, ctx, cluster.clusterName, a) }));
      for (const { a, ci } of planned) ci.attributes = ci.attributes.filter((x) => x.name !== a.name);
      return {
        attributes: planned.map(({ a, ci }) => ({
          ...a,
          targetType: 'container-instance',
          targetId: ci.containerInstanceArn,
        })),
      };
    },
    ListAttributes(input: ECS.ListAttributesRequest, ctx): ECS.ListAttributesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      if (input.attributeValue !== undefined && !input.attributeName) {
        throw invalidParameter('attributeName must be specified when attributeValue is specified.');
      }
      const all: ECS.Attribute[] = [];
      for (const ci of Object.values(state.containerInstances)) {
        if (ci.clusterName !== cluster.clusterName || ci.status === 'INACTIVE') continue;
        for (const a of ci.attributes) {
          if (input.attributeName && a.name !== input.attributeName) continue;
          if (input.attributeValue !== undefined && a.value !== input.attributeValue) continue;
          all.push({ ...a, targetType: 'container-instance', targetId: ci.containerInstanceArn });
        }
      }
      const key = (a: ECS.Attribute) => `${a.targetId}\u0000${a.name}`;
      all.sort((x, y) => (key(x) < key(y) ? -1 : 1));
      const { page, nextToken } = paginate(all, key, input, { defaultMax: 100, maxLimit: 100 });
      return { attributes: page, ...(nextToken ? { nextToken } : {}) };
    },
  };
}
