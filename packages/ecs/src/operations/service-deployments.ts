import type * as ECS from '@aws-sdk/client-ecs';
import {
  clone,
  decodePageToken,
  encodePageToken,
  pageSize,
  type OperationMap,
  type RequestContext,
} from '@dockside/core';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import { findService, millis } from '../domain/services';
import { conflict, invalidParameter, serviceDeploymentNotFound, serviceNotFound } from '../errors';
import { ServiceScheduler } from '../scheduler/scheduler';
import type { ServiceRecord } from '../state/types';

/** ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, Stop/ContinueServiceDeployment. */
export function serviceDeploymentOperations(d: EcsDomain, scheduler: ServiceScheduler): OperationMap {
  const kick = (ctx: RequestContext, svc: ServiceRecord) => scheduler.schedule(ctx, svc.serviceArn);
  return {
    ListServiceDeployments(input: ECS.ListServiceDeploymentsRequest, ctx): ECS.ListServiceDeploymentsResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const svc = findService(state, ctx, cluster, input.service);
      if (!svc) throw serviceNotFound();
      const max = pageSize(input.maxResults, { defaultMax: 20, maxLimit: 100 });
      const after = millis(input.createdAt?.after);
      const before = millis(input.createdAt?.before);
      const all = Object.values(state.serviceDeployments)
        .filter((d) => d.serviceArn === svc.serviceArn && (!input.status?.length || input.status.includes(d.status!)))
        .filter(
          (d) =>
            (after === undefined || d.createdAt!.getTime() >= after) &&
            (before === undefined || d.createdAt!.getTime() <= before),
        )
        .sort(
          (a, b) =>
            b.createdAt!.getTime() - a.createdAt!.getTime() ||
            (a.serviceDeploymentArn! < b.serviceDeploymentArn! ? 1 : -1),
        );
      let from = 0;
      if (input.nextToken) {
        const last = decodePageToken(input.nextToken);
        from = all.findIndex((d) => d.serviceDeploymentArn === last) + 1;
      }
      const page = all.slice(from, from + max);
      return {
        serviceDeployments: page.map((d) => ({
          serviceDeploymentArn: d.serviceDeploymentArn,
          serviceArn: d.serviceArn,
          clusterArn: d.clusterArn,
          startedAt: d.startedAt,
          createdAt: d.createdAt,
          ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
          targetServiceRevisionArn: d.targetServiceRevision?.arn,
          status: d.status,
          ...(d.statusReason ? { statusReason: d.statusReason } : {}),
        })),
        ...(from + max < all.length ? { nextToken: encodePageToken(page[page.length - 1].serviceDeploymentArn!) } : {}),
      };
    },

    DescribeServiceDeployments(
      input: ECS.DescribeServiceDeploymentsRequest,
      ctx,
    ): ECS.DescribeServiceDeploymentsResponse {
      const state = d.stateOf(ctx);
      const arns = input.serviceDeploymentArns ?? [];
      if (arns.length < 1 || arns.length > 20)
        throw invalidParameter('serviceDeploymentArns should have between 1 and 20 elements.');
      const found = arns.filter((a) => state.serviceDeployments[a]);
      return {
        serviceDeployments: found.map((a) => clone(state.serviceDeployments[a])),
        failures: arns.filter((a) => !state.serviceDeployments[a]).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },

    DescribeServiceRevisions(input: ECS.DescribeServiceRevisionsRequest, ctx): ECS.DescribeServiceRevisionsResponse {
      const state = d.stateOf(ctx);
      const arns = input.serviceRevisionArns ?? [];
      if (arns.length < 1 || arns.length > 20)
        throw invalidParameter('serviceRevisionArns should have between 1 and 20 elements.');
      return {
        serviceRevisions: arns.filter((a) => state.serviceRevisions[a]).map((a) => clone(state.serviceRevisions[a])),
        failures: arns.filter((a) => !state.serviceRevisions[a]).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },

    StopServiceDeployment(input: ECS.StopServiceDeploymentRequest, ctx): ECS.StopServiceDeploymentResponse {
      const state = d.stateOf(ctx);
      const sd = state.serviceDeployments[input.serviceDeploymentArn ?? ''];
      if (!sd) throw serviceDeploymentNotFound();
      const svc = state.services[sd.serviceArn!];
      const dep = svc?.deployments.find(
        (d) => d.serviceDeploymentArn === sd.serviceDeploymentArn && d.status === 'PRIMARY',
      );
      if (!svc || !dep || !['IN_PROGRESS', 'PENDING'].includes(sd.status!)) {
        throw conflict(`The service deployment is ${sd.status} and can't be stopped.`);
      }
      const now = new Date();
      if ((input.stopType ?? 'ROLLBACK') === 'ROLLBACK') {
        if (!svc.stable && !svc.deployments.some((d) => d !== dep && d.rolloutState === 'COMPLETED')) {
          throw conflict('The service has no completed deployment to roll back to.');
        }
        sd.status = 'ROLLBACK_REQUESTED';
        scheduler.failDeployment(
          svc,
          dep,
          'stopped by a StopServiceDeployment request',
          true,
          ctx,
          'Service deployment rolled back because of a StopServiceDeployment request.',
        );
      } else {
        sd.status = 'STOP_REQUESTED';
        scheduler.failDeployment(
          svc,
          dep,
          'stopped by a StopServiceDeployment request',
          false,
          ctx,
          'Service deployment stopped because of a StopServiceDeployment request.',
        );
        Object.assign(sd, { status: 'STOPPED', stoppedAt: now, updatedAt: now, finishedAt: now });
      }
      kick(ctx, svc);
      return { serviceDeploymentArn: sd.serviceDeploymentArn };
    },

    ContinueServiceDeployment(input: ECS.ContinueServiceDeploymentRequest, ctx): ECS.ContinueServiceDeploymentResponse {
      const state = d.stateOf(ctx);
      const sd = state.serviceDeployments[input.serviceDeploymentArn ?? ''];
      if (!sd) throw serviceDeploymentNotFound();
      const hook = sd.lifecycleHookDetails?.find((h) => h.hookId === input.hookId);
      if (!hook)
        throw invalidParameter(`The lifecycle hook ${input.hookId} does not exist for this service deployment.`);
      if (hook.status !== 'AWAITING_ACTION')
        throw invalidParameter(`The lifecycle hook ${input.hookId} is ${hook.status}, not AWAITING_ACTION.`);
      if (sd.status !== 'IN_PROGRESS')
        throw conflict(`The service deployment is ${sd.status}; only an IN_PROGRESS deployment can be continued.`);
      const svc = state.services[sd.serviceArn!];
      const dep = svc?.deployments.find(
        (d) => d.serviceDeploymentArn === sd.serviceDeploymentArn && d.status === 'PRIMARY',
      );
      hook.status = 'SUCCEEDED';
      sd.updatedAt = new Date();
      if ((input.action ?? 'CONTINUE') === 'ROLLBACK' && svc && dep) {
        scheduler.failDeployment(
          svc,
          dep,
          'rolled back at a lifecycle hook',
          true,
          ctx,
          'Service deployment rolled back because of a ContinueServiceDeployment request.',
        );
      }
      if (svc) kick(ctx, svc);
      return { serviceDeploymentArn: sd.serviceDeploymentArn };
    },
  };
}
