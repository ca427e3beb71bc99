import type * as EC2 from '@aws-sdk/client-ec2';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { applyFilters } from '../domain/filters';
import { zonesOf } from '../domain/network';
import { invalidParameterValue } from '../errors';
import { type StateOf, tagsOf, tagsView } from './common';

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'sa-east-1',
];

/** The resource type EC2 reports for an id (DescribeTags), from its prefix. */
const RESOURCE_TYPES: Record<string, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  sg: 'security-group',
  sgr: 'security-group-rule',
  rtb: 'route-table',
  acl: 'network-acl',
  eni: 'network-interface',
  i: 'instance',
  igw: 'internet-gateway',
  eipalloc: 'elastic-ip',
  nat: 'natgateway',
};
const typeOf = (id: string) => RESOURCE_TYPES[id.slice(0, id.lastIndexOf('-'))];

/** Regions and zones, account attributes, tags of any resource, network ACLs. */
export function accountOperations(stateOf: StateOf): OperationMap {
  const exists = (ctx: RequestContext, id: string) => {
    const s = stateOf(ctx);
    return Boolean(
      s.vpcs[id] ||
      s.subnets[id] ||
      s.securityGroups[id] ||
      s.routeTables[id] ||
      s.networkAcls[id] ||
      s.networkInterfaces[id] ||
      s.instances[id] ||
      s.internetGateways[id] ||
      s.addresses[id] ||
      s.natGateways[id] ||
      Object.values(s.securityGroups).some((g) => g.rules.some((r) => r.ruleId === id)),
    );
  };
  return {
    DescribeRegions(input: EC2.DescribeRegionsRequest): EC2.DescribeRegionsResult {
      const all = REGIONS.map((r) => ({
        RegionName: r,
        Endpoint: `ec2.${r}.amazonaws.com`,
        OptInStatus: 'opt-in-not-required',
      }));
      const named = input.RegionNames?.length ? all.filter((r) => input.RegionNames!.includes(r.RegionName)) : all;
      for (const n of input.RegionNames ?? [])
        if (!REGIONS.includes(n)) throw invalidParameterValue(`Invalid region: ${n}`);
      return {
        Regions: applyFilters(
          named,
          input.Filters,
          { 'region-name': (r) => r.RegionName, endpoint: (r) => r.Endpoint, 'opt-in-status': (r) => r.OptInStatus },
          () => ({}),
        ),
      };
    },
    DescribeAvailabilityZones(input: EC2.DescribeAvailabilityZonesRequest, ctx): EC2.DescribeAvailabilityZonesResult {
      const zones = zonesOf(ctx.region).map((z) => ({
        State: 'available' as const,
        OptInStatus: 'opt-in-not-required' as const,
        Messages: [],
        RegionName: ctx.region,
        ZoneName: z.name,
        ZoneId: z.id,
        GroupName: ctx.region,
        GroupLongName: ctx.region,
        NetworkBorderGroup: ctx.region,
        ZoneType: 'availability-zone',
      }));
      for (const n of input.ZoneNames ?? [])
        if (!zones.some((z) => z.ZoneName === n)) throw invalidParameterValue(`The zone '${n}' does not exist.`);
      const named = zones.filter(
        (z) =>
          (!input.ZoneNames?.length || input.ZoneNames.includes(z.ZoneName)) &&
          (!input.ZoneIds?.length || input.ZoneIds.includes(z.ZoneId)),
      );
      return {
        AvailabilityZones: applyFilters(
          named,
          input.Filters,
          {
            'zone-name': (z) => z.ZoneName,
            'zone-id': (z) => z.ZoneId,
            'region-name': (z) => z.RegionName,
            state: (z) => z.State,
            'zone-type': (z) => z.ZoneType,
            'opt-in-status': (z) => z.OptInStatus,
            'group-name': (z) => z.GroupName,
            'network-border-group': (z) => z.NetworkBorderGroup,
          },
          () => ({}),
        ),
      };
    },
    DescribeAccountAttributes(input: EC2.DescribeAccountAttributesRequest, ctx): EC2.DescribeAccountAttributesResult {
      const defaultVpc = Object.values(stateOf(ctx).vpcs).find((v) => v.isDefault)?.vpcId ?? 'none';
      const all: Record<string, string[]> = {
        'supported-platforms': ['VPC'],
        'default-vpc': [defaultVpc],
        'max-instances': ['20'],
        'vpc-max-security-groups-per-interface': ['5'],
        'max-elastic-ips': ['5'],
        'vpc-max-elastic-ips': ['5'],
      };
      const names = input.AttributeNames?.length ? input.AttributeNames : Object.keys(all);
      return {
        AccountAttributes: names.map((n) => ({
          AttributeName: n,
          AttributeValues: (all[n] ?? []).map((v) => ({ AttributeValue: v })),
        })),
      };
    },

    CreateTags(input: EC2.CreateTagsRequest, ctx): void {
      const state = stateOf(ctx);
      for (const id of input.Resources ?? []) {
        if (!exists(ctx, id)) throw invalidParameterValue(`The ID '${id}' is not valid`);
      }
      for (const id of input.Resources ?? []) {
        const tags = (state.tags[id] ??= {});
        for (const t of input.Tags ?? []) {
          if (t.Key?.toLowerCase().startsWith('aws:'))
            throw invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
          tags[t.Key!] = t.Value ?? '';
        }
        if (Object.keys(tags).length > 50)
          throw new ServiceError(
            'TagLimitExceeded',
            `The maximum number of tags for a resource (50) was exceeded for '${id}'`,
          );
      }
    },
    DeleteTags(input: EC2.DeleteTagsRequest, ctx): void {
      const state = stateOf(ctx);
      for (const id of input.Resources ?? []) {
        const tags = state.tags[id];
        if (!tags) continue;
        if (!input.Tags?.length) delete state.tags[id];
        else
          for (const t of input.Tags) {
            if (t.Value === undefined || tags[t.Key!] === t.Value) delete tags[t.Key!];
          }
      }
    },
    DescribeTags(input: EC2.DescribeTagsRequest, ctx): EC2.DescribeTagsResult {
      const state = stateOf(ctx);
      const rows = Object.entries(state.tags).flatMap(([id, tags]) =>
        Object.entries(tags).map(([Key, Value]) => ({
          ResourceId: id,
          ResourceType: typeOf(id) as EC2.ResourceType,
          Key,
          Value,
        })),
      );
      return {
        Tags: applyFilters(
          rows,
          input.Filters,
          {
            'resource-id': (r) => r.ResourceId,
            'resource-type': (r) => r.ResourceType,
            key: (r) => r.Key,
            value: (r) => r.Value,
          },
          () => ({}),
        ),
      };
    },

    DescribeNetworkAcls(input: EC2.DescribeNetworkAclsRequest, ctx): EC2.DescribeNetworkAclsResult {
      const state = stateOf(ctx);
      const listed = Object.values(state.networkAcls).filter(
        (a) => !input.NetworkAclIds?.length || input.NetworkAclIds.includes(a.networkAclId),
      );
      const acls = applyFilters(
        listed,
        input.Filters,
        { 'network-acl-id': (a) => a.networkAclId, 'vpc-id': (a) => a.vpcId, default: (a) => a.isDefault },
        (a) => tagsOf(state, a.networkAclId),
      );
      const allowAll = (egress: boolean): EC2.NetworkAclEntry[] => [
        { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: egress, CidrBlock: '0.0.0.0/0' },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: egress, CidrBlock: '0.0.0.0/0' },
      ];
      return {
        NetworkAcls: acls.map((a) => ({
          NetworkAclId: a.networkAclId,
          VpcId: a.vpcId,
          IsDefault: a.isDefault,
          OwnerId: ctx.accountId,
          Entries: [...allowAll(false), ...allowAll(true)],
          Associations: Object.values(state.subnets)
            .filter((s) => s.vpcId === a.vpcId)
            .map((s) => ({
              NetworkAclAssociationId: `aclassoc-${s.subnetId.slice(7)}`,
              NetworkAclId: a.networkAclId,
              SubnetId: s.subnetId,
            })),
          Tags: tagsView(state, a.networkAclId),
        })),
      };
    },
  };
}
