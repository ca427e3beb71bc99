/**
 * Vended-log deliveries: delivery sources (a resource that emits logs), delivery destinations (a
 * log group, bucket or stream), the deliveries that pair them, and destination policies. They are
 * recorded with AWS's shapes and rules (a source or destination in use cannot be deleted; one
 * delivery per pair); no AWS resource emits logs here, so nothing flows through them.
 */
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import type { OperationMap, RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import type { ArnRecord, LogsState } from '../state/types';
import { conflict, logsArn, notFound, pageOf, shortId, view } from './records';

const DESTINATION_TYPES: Record<string, string> = { logs: 'CWL', s3: 'S3', firehose: 'FH', xray: 'XRAY' };

function serviceOf(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw invalid(`Invalid resource arn: ${arn}`);
  return parts[2];
}

export function deliveryOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  const source = (s: LogsState, name: string) => {
    const r = s.deliverySources[name];
    if (!r) throw notFound(`Delivery source ${name} does not exist.`);
    return r;
  };
  const destination = (s: LogsState, name: string) => {
    const r = s.deliveryDestinations[name];
    if (!r) throw notFound(`Delivery destination ${name} does not exist.`);
    return r;
  };
  const delivery = (s: LogsState, id: string) => {
    const r = s.deliveries[id];
    if (!r) throw notFound(`Delivery ${id} does not exist.`);
    return r;
  };
  const deliveryFields = (
    input: { recordFields?: string[]; fieldDelimiter?: string; s3DeliveryConfiguration?: CWL.S3DeliveryConfiguration },
    r: ArnRecord,
  ) => {
    if (input.recordFields) r.fields.recordFields = [...input.recordFields];
    if (input.fieldDelimiter !== undefined) r.fields.fieldDelimiter = input.fieldDelimiter;
    if (input.s3DeliveryConfiguration) r.fields.s3DeliveryConfiguration = { ...input.s3DeliveryConfiguration };
  };
  return {
    PutDeliverySource(input: CWL.PutDeliverySourceRequest, ctx): CWL.PutDeliverySourceResponse {
      const s = stateOf(ctx);
      const service = serviceOf(input.resourceArn!);
      const existing = s.deliverySources[input.name!];
      if (existing && existing.fields.logType !== input.logType) {
        throw conflict(`Delivery source ${input.name} already exists with log type ${existing.fields.logType}.`);
      }
      const arn = logsArn(ctx, `delivery-source:${input.name}`);
      const r: ArnRecord = existing ?? { arn, tags: { ...(input.tags ?? {}) }, fields: {} };
      r.fields = {
        name: input.name,
        arn,
        resourceArns: [input.resourceArn],
        service,
        logType: input.logType,
        ...(input.deliverySourceConfiguration
          ? { deliverySourceConfiguration: input.deliverySourceConfiguration }
          : {}),
      };
      s.deliverySources[input.name!] = r;
      return { deliverySource: view(r, true) as CWL.DeliverySource };
    },
    GetDeliverySource(input: CWL.GetDeliverySourceRequest, ctx): CWL.GetDeliverySourceResponse {
      return { deliverySource: view(source(stateOf(ctx), input.name!), true) as CWL.DeliverySource };
    },
    DescribeDeliverySources(input: CWL.DescribeDeliverySourcesRequest, ctx): CWL.DescribeDeliverySourcesResponse {
      const { page, next } = pageOf(Object.values(stateOf(ctx).deliverySources), (r) => r.arn, input);
      return { deliverySources: page.map((r) => view(r, true) as CWL.DeliverySource), ...next };
    },
    DeleteDeliverySource(input: CWL.DeleteDeliverySourceRequest, ctx): void {
      const s = stateOf(ctx);
      source(s, input.name!);
      if (Object.values(s.deliveries).some((d) => d.fields.deliverySourceName === input.name)) {
        throw conflict(`Delivery source ${input.name} is in use by a delivery. Delete the delivery first.`);
      }
      delete s.deliverySources[input.name!];
    },

    PutDeliveryDestination(input: CWL.PutDeliveryDestinationRequest, ctx): CWL.PutDeliveryDestinationResponse {
      const s = stateOf(ctx);
      const target = input.deliveryDestinationConfiguration?.destinationResourceArn;
      const type = input.deliveryDestinationType ?? (target ? DESTINATION_TYPES[serviceOf(target)] : undefined);
      if (!type) throw invalid('deliveryDestinationConfiguration must name a log group, S3 bucket or Firehose stream.');
      if (type !== 'XRAY' && !target) throw invalid('deliveryDestinationConfiguration is required for this type.');
      const existing = s.deliveryDestinations[input.name!];
      const arn = logsArn(ctx, `delivery-destination:${input.name}`);
      const r = existing ?? { arn, tags: { ...(input.tags ?? {}) }, fields: {} };
      r.fields = {
        name: input.name,
        arn,
        deliveryDestinationType: type,
        outputFormat: input.outputFormat ?? (type === 'S3' ? 'parquet' : 'json'),
        ...(target ? { deliveryDestinationConfiguration: { destinationResourceArn: target } } : {}),
        ...(input.roleArn ? { roleArn: input.roleArn } : {}),
      };
      s.deliveryDestinations[input.name!] = r;
      return { deliveryDestination: view(r, true) as CWL.DeliveryDestination };
    },
    GetDeliveryDestination(input: CWL.GetDeliveryDestinationRequest, ctx): CWL.GetDeliveryDestinationResponse {
      return { deliveryDestination: view(destination(stateOf(ctx), input.name!), true) as CWL.DeliveryDestination };
    },
    DescribeDeliveryDestinations(
      input: CWL.DescribeDeliveryDestinationsRequest,
      ctx,
    ): CWL.DescribeDeliveryDestinationsResponse {
      const { page, next } = pageOf(Object.values(stateOf(ctx).deliveryDestinations), (r) => r.arn, input);
      return { deliveryDestinations: page.map((r) => view(r, true) as CWL.DeliveryDestination), ...next };
    },
    DeleteDeliveryDestination(input: CWL.DeleteDeliveryDestinationRequest, ctx): void {
      const s = stateOf(ctx);
      const d = destination(s, input.name!);
      if (Object.values(s.deliveries).some((x) => x.fields.deliveryDestinationArn === d.arn)) {
        throw conflict(`Delivery destination ${input.name} is in use by a delivery. Delete the delivery first.`);
      }
      delete s.deliveryDestinations[input.name!];
    },
    PutDeliveryDestinationPolicy(
      input: CWL.PutDeliveryDestinationPolicyRequest,
      ctx,
    ): CWL.PutDeliveryDestinationPolicyResponse {
      const d = destination(stateOf(ctx), input.deliveryDestinationName!);
      try {
        JSON.parse(input.deliveryDestinationPolicy!);
      } catch {
        throw invalid('Policy document is not valid JSON.');
      }
      d.policy = input.deliveryDestinationPolicy;
      return { policy: { deliveryDestinationPolicy: d.policy } };
    },
    GetDeliveryDestinationPolicy(
      input: CWL.GetDeliveryDestinationPolicyRequest,
      ctx,
    ): CWL.GetDeliveryDestinationPolicyResponse {
      const d = destination(stateOf(ctx), input.deliveryDestinationName!);
      return { policy: d.policy ? { deliveryDestinationPolicy: d.policy } : {} };
    },
    DeleteDeliveryDestinationPolicy(input: CWL.DeleteDeliveryDestinationPolicyRequest, ctx): void {
      const d = destination(stateOf(ctx), input.deliveryDestinationName!);
      if (!d.policy) throw notFound(`Delivery destination ${input.deliveryDestinationName} has no policy.`);
      delete d.policy;
    },

    CreateDelivery(input: CWL.CreateDeliveryRequest, ctx): CWL.CreateDeliveryResponse {
      const s = stateOf(ctx);
      source(s, input.deliverySourceName!);
      const dest = Object.values(s.deliveryDestinations).find((d) => d.arn === input.deliveryDestinationArn);
      if (!dest) throw notFound(`Delivery destination ${input.deliveryDestinationArn} does not exist.`);
      const clash = Object.values(s.deliveries).find(
        (d) =>
          d.fields.deliverySourceName === input.deliverySourceName &&
          d.fields.deliveryDestinationArn === input.deliveryDestinationArn,
      );
      if (clash) throw conflict(`A delivery from ${input.deliverySourceName} to this destination already exists.`);
      const id = shortId();
      const r: ArnRecord = {
        arn: logsArn(ctx, `delivery:${id}`),
        tags: { ...(input.tags ?? {}) },
        fields: {
          id,
          arn: logsArn(ctx, `delivery:${id}`),
          deliverySourceName: input.deliverySourceName,
          deliveryDestinationArn: input.deliveryDestinationArn,
          deliveryDestinationType: dest.fields.deliveryDestinationType,
        },
      };
      deliveryFields(input, r);
      s.deliveries[id] = r;
      return { delivery: view(r, true) as CWL.Delivery };
    },
    GetDelivery(input: CWL.GetDeliveryRequest, ctx): CWL.GetDeliveryResponse {
      return { delivery: view(delivery(stateOf(ctx), input.id!), true) as CWL.Delivery };
    },
    DescribeDeliveries(input: CWL.DescribeDeliveriesRequest, ctx): CWL.DescribeDeliveriesResponse {
      const names = input.deliverySourceNames;
      const all = Object.values(stateOf(ctx).deliveries).filter(
        (d) => !names?.length || names.includes(d.fields.deliverySourceName as string),
      );
      const { page, next } = pageOf(all, (r) => r.arn, input);
      return { deliveries: page.map((r) => view(r, true) as CWL.Delivery), ...next };
    },
    UpdateDeliveryConfiguration(input: CWL.UpdateDeliveryConfigurationRequest, ctx): void {
      deliveryFields(input, delivery(stateOf(ctx), input.id!));
    },
    DeleteDelivery(input: CWL.DeleteDeliveryRequest, ctx): void {
      const s = stateOf(ctx);
      delivery(s, input.id!);
      delete s.deliveries[input.id!];
    },
    DescribeConfigurationTemplates(): CWL.DescribeConfigurationTemplatesResponse {
      // Templates describe what AWS services can vend; no AWS service vends logs into Dockside.
      return { configurationTemplates: [] };
    },
  };
}
