import type * as EC2 from '@aws-sdk/client-ec2';
import type { OperationMap, RequestContext } from '@dockside/core';
import { applyFilters } from '../domain/filters';
import { newId } from '../domain/ids';
import { createSecurityGroup, findGroup, findVpc } from '../domain/network';
import {
  cannotDeleteDefault,
  dependencyViolation,
  groupDuplicate,
  groupNotFound,
  invalidParameterValue,
  missingParameter,
  permissionDuplicate,
} from '../errors';
import type { Ec2State, SecurityGroupRecord, SecurityGroupRuleRecord } from '../state/types';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const PROTOCOLS: Record<string, string> = {
  '-1': '-1',
  all: '-1',
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
};

type RuleShape = Omit<SecurityGroupRuleRecord, 'ruleId' | 'egress'>;

/** One rule per source of each permission, as EC2 stores them. */
function rulesOf(perms: EC2.IpPermission[]): RuleShape[] {
  const out: RuleShape[] = [];
  for (const p of perms) {
    const raw = (p.IpProtocol ?? '').toLowerCase();
    const ipProtocol = PROTOCOLS[raw] ?? (/^\d+$/.test(raw) ? raw : undefined);
    if (!ipProtocol) throw invalidParameterValue(`Invalid value '${p.IpProtocol}' for IP protocol. Unknown protocol.`);
    const ports = ipProtocol === '-1' ? {} : { fromPort: p.FromPort ?? -1, toPort: p.ToPort ?? -1 };
    if ((ipProtocol === 'tcp' || ipProtocol === 'udp') && (p.FromPort === undefined || p.ToPort === undefined))
      throw invalidParameterValue(`Invalid value for portRange. Must specify both from and to ports with TCP/UDP.`);
    if (ports.fromPort !== undefined && ports.fromPort > ports.toPort! && ipProtocol !== 'icmp')
      throw invalidParameterValue(`Invalid value for portRange. From port must be less than or equal to to port.`);
    const base = { ipProtocol, ...ports };
    for (const r of p.IpRanges ?? [])
      out.push({ ...base, cidrIpv4: r.CidrIp, ...(r.Description ? { description: r.Description } : {}) });
    for (const r of p.Ipv6Ranges ?? [])
      out.push({ ...base, cidrIpv6: r.CidrIpv6, ...(r.Description ? { description: r.Description } : {}) });
    for (const r of p.PrefixListIds ?? [])
      out.push({ ...base, prefixListId: r.PrefixListId, ...(r.Description ? { description: r.Description } : {}) });
    for (const r of p.UserIdGroupPairs ?? [])
      out.push({ ...base, referencedGroupId: r.GroupId, ...(r.Description ? { description: r.Description } : {}) });
  }
  return out;
}

const sameRule = (a: RuleShape, b: RuleShape) =>
  a.ipProtocol === b.ipProtocol &&
  a.fromPort === b.fromPort &&
  a.toPort === b.toPort &&
  a.cidrIpv4 === b.cidrIpv4 &&
  a.cidrIpv6 === b.cidrIpv6 &&
  a.prefixListId === b.prefixListId &&
  a.referencedGroupId === b.referencedGroupId;

const describeRule = (r: RuleShape) =>
  `peer: ${r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.referencedGroupId}, ${r.ipProtocol === '-1' ? 'ALL' : r.ipProtocol.toUpperCase()}${r.fromPort !== undefined ? `, from port: ${r.fromPort}, to port: ${r.toPort}` : ''}, ALLOW`;

/** The permissions of an authorize/revoke call: `IpPermissions`, or the older flat parameters. */
function permissionsOf(input: EC2.AuthorizeSecurityGroupIngressRequest): EC2.IpPermission[] {
  if (input.IpPermissions?.length) return input.IpPermissions;
  if (!input.IpProtocol) return [];
  return [
    {
      IpProtocol: input.IpProtocol,
      FromPort: input.FromPort,
      ToPort: input.ToPort,
      IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : [],
    },
  ];
}

/** EC2's IpPermissions view: rules grouped by protocol and port range. */
function permissions(rules: SecurityGroupRuleRecord[], accountId: string): EC2.IpPermission[] {
  const groups = new Map<string, EC2.IpPermission>();
  for (const r of rules) {
    const key = `${r.ipProtocol}:${r.fromPort}:${r.toPort}`;
    let p = groups.get(key);
    if (!p) {
      p = {
        IpProtocol: r.ipProtocol,
        ...(r.fromPort !== undefined ? { FromPort: r.fromPort, ToPort: r.toPort } : {}),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      groups.set(key, p);
    }
    const d = r.description ? { Description: r.description } : {};
    if (r.cidrIpv4) p.IpRanges!.push({ CidrIp: r.cidrIpv4, ...d });
    if (r.cidrIpv6) p.Ipv6Ranges!.push({ CidrIpv6: r.cidrIpv6, ...d });
    if (r.prefixListId) p.PrefixListIds!.push({ PrefixListId: r.prefixListId, ...d });
    if (r.referencedGroupId) p.UserIdGroupPairs!.push({ GroupId: r.referencedGroupId, UserId: accountId, ...d });
  }
  return [...groups.values()];
}

export function ruleView(
  ctx: RequestContext,
  g: SecurityGroupRecord,
  r: SecurityGroupRuleRecord,
  state: Ec2State,
): EC2.SecurityGroupRule {
  const tags = tagsView(state, r.ruleId);
  return {
    SecurityGroupRuleId: r.ruleId,
    GroupId: g.groupId,
    GroupOwnerId: ctx.accountId,
    IsEgress: r.egress,
    IpProtocol: r.ipProtocol,
    FromPort: r.fromPort ?? -1,
    ToPort: r.toPort ?? -1,
    ...(r.cidrIpv4 ? { CidrIpv4: r.cidrIpv4 } : {}),
    ...(r.cidrIpv6 ? { CidrIpv6: r.cidrIpv6 } : {}),
    ...(r.prefixListId ? { PrefixListId: r.prefixListId } : {}),
    ...(r.referencedGroupId ? { ReferencedGroupInfo: { GroupId: r.referencedGroupId, UserId: ctx.accountId } } : {}),
    ...(r.description ? { Description: r.description } : {}),
    SecurityGroupRuleArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group-rule/${r.ruleId}`,
    ...(tags.length ? { Tags: tags } : {}),
  };
}

/** Security groups and their rules. */
export function securityGroupOperations(stateOf: StateOf): OperationMap {
  const groupView = (state: Ec2State, ctx: RequestContext, g: SecurityGroupRecord): EC2.SecurityGroup => {
    const tags = tagsView(state, g.groupId);
    return {
      GroupId: g.groupId,
      GroupName: g.groupName,
      Description: g.description,
      VpcId: g.vpcId,
      OwnerId: ctx.accountId,
      SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${g.groupId}`,
      IpPermissions: permissions(
        g.rules.filter((r) => !r.egress),
        ctx.accountId,
      ),
      IpPermissionsEgress: permissions(
        g.rules.filter((r) => r.egress),
        ctx.accountId,
      ),
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const groupFields = (ctx: RequestContext) => ({
    'group-id': (g: SecurityGroupRecord) => g.groupId,
    'group-name': (g: SecurityGroupRecord) => g.groupName,
    description: (g: SecurityGroupRecord) => g.description,
    'vpc-id': (g: SecurityGroupRecord) => g.vpcId,
    'owner-id': () => ctx.accountId,
    'ip-permission.protocol': (g: SecurityGroupRecord) => g.rules.filter((r) => !r.egress).map((r) => r.ipProtocol),
    'ip-permission.from-port': (g: SecurityGroupRecord) =>
      g.rules.filter((r) => !r.egress).map((r) => String(r.fromPort ?? -1)),
    'ip-permission.to-port': (g: SecurityGroupRecord) =>
      g.rules.filter((r) => !r.egress).map((r) => String(r.toPort ?? -1)),
    'ip-permission.cidr': (g: SecurityGroupRecord) =>
      g.rules.filter((r) => !r.egress && r.cidrIpv4).map((r) => r.cidrIpv4!),
    'ip-permission.group-id': (g: SecurityGroupRecord) =>
      g.rules.filter((r) => !r.egress && r.referencedGroupId).map((r) => r.referencedGroupId!),
  });
  const authorize = (egress: boolean) => (input: EC2.AuthorizeSecurityGroupIngressRequest, ctx: RequestContext) => {
    const state = stateOf(ctx);
    if (!input.GroupId && !input.GroupName) throw missingParameter('groupId');
    const g = input.GroupId
      ? findGroup(state, input.GroupId)
      : Object.values(state.securityGroups).find(
          (x) => x.groupName === input.GroupName && state.vpcs[x.vpcId]?.isDefault,
        );
    if (!g) throw groupNotFound(input.GroupName!);
    const perms = permissionsOf(input);
    if (!perms.length) throw missingParameter('ipPermissions');
    const wanted = rulesOf(perms);
    for (const r of wanted) {
      if (r.referencedGroupId) findGroup(state, r.referencedGroupId);
      if (g.rules.some((x) => x.egress === egress && sameRule(x, r))) throw permissionDuplicate(describeRule(r));
    }
    const added = wanted.map((r) => ({ ...r, ruleId: newId('sgr'), egress }));
    const tags = tagsFromSpecs(input.TagSpecifications, 'security-group-rule');
    for (const r of added) if (Object.keys(tags).length) state.tags[r.ruleId] = { ...tags };
    g.rules.push(...added);
    return { Return: true, SecurityGroupRules: added.map((r) => ruleView(ctx, g, r, state)) };
  };
  const revoke = (egress: boolean) => (input: EC2.RevokeSecurityGroupIngressRequest, ctx: RequestContext) => {
    const state = stateOf(ctx);
    const g = findGroup(state, input.GroupId ?? '');
    const unknown: EC2.IpPermission[] = [];
    if (input.SecurityGroupRuleIds?.length) {
      for (const id of input.SecurityGroupRuleIds) {
        const r = g.rules.find((x) => x.ruleId === id && x.egress === egress);
        if (!r)
          throw invalidParameterValue(
            `The security group rule ID '${id}' does not exist in security group '${g.groupId}'`,
          );
        g.rules = g.rules.filter((x) => x !== r);
      }
    } else {
      const perms = permissionsOf(input);
      for (const p of perms) {
        for (const r of rulesOf([p])) {
          const hit = g.rules.find((x) => x.egress === egress && sameRule(x, r));
          if (hit) g.rules = g.rules.filter((x) => x !== hit);
          else unknown.push(p);
        }
      }
    }
    return { Return: true, ...(unknown.length ? { UnknownIpPermissions: unknown } : {}) };
  };
  return {
    CreateSecurityGroup(input: EC2.CreateSecurityGroupRequest, ctx): EC2.CreateSecurityGroupResult {
      const state = stateOf(ctx);
      if (!input.GroupName) throw missingParameter('groupName');
      if (!input.Description) throw missingParameter('groupDescription');
      if (input.GroupName === 'default')
        throw invalidParameterValue('Cannot use reserved security group name: default');
      if (input.GroupName.toLowerCase().startsWith('sg-'))
        throw invalidParameterValue('Group names may not be in the format sg-*.');
      const vpc = input.VpcId ? findVpc(state, input.VpcId) : Object.values(state.vpcs).find((v) => v.isDefault);
      if (!vpc) throw missingParameter('vpcId');
      if (Object.values(state.securityGroups).some((g) => g.vpcId === vpc.vpcId && g.groupName === input.GroupName))
        throw groupDuplicate(input.GroupName, vpc.vpcId);
      const tags = tagsFromSpecs(input.TagSpecifications, 'security-group');
      const g = createSecurityGroup(state, vpc.vpcId, input.GroupName, input.Description);
      if (Object.keys(tags).length) state.tags[g.groupId] = tags;
      return {
        GroupId: g.groupId,
        SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${g.groupId}`,
        ...(Object.keys(tags).length ? { Tags: tagsView(state, g.groupId) } : {}),
      };
    },
    DescribeSecurityGroups(input: EC2.DescribeSecurityGroupsRequest, ctx): EC2.DescribeSecurityGroupsResult {
      const state = stateOf(ctx);
      let listed = Object.values(state.securityGroups);
      if (input.GroupIds?.length) listed = input.GroupIds.map((id) => findGroup(state, id));
      if (input.GroupNames?.length) {
        listed = input.GroupNames.map((n) => {
          const g = listed.find((x) => x.groupName === n && state.vpcs[x.vpcId]?.isDefault);
          if (!g) throw groupNotFound(n);
          return g;
        });
      }
      const filtered = applyFilters(listed, input.Filters, groupFields(ctx), (g) => tagsOf(state, g.groupId));
      const { items, NextToken } = page(filtered, input);
      return { SecurityGroups: items.map((g) => groupView(state, ctx, g)), ...(NextToken ? { NextToken } : {}) };
    },
    DeleteSecurityGroup(input: EC2.DeleteSecurityGroupRequest, ctx): EC2.DeleteSecurityGroupResult {
      const state = stateOf(ctx);
      const g = input.GroupId
        ? findGroup(state, input.GroupId)
        : Object.values(state.securityGroups).find(
            (x) => x.groupName === input.GroupName && state.vpcs[x.vpcId]?.isDefault,
          );
      if (!g) throw groupNotFound(input.GroupName ?? '');
      if (g.groupName === 'default') throw cannotDeleteDefault(g.groupId);
      const referenced = Object.values(state.securityGroups).some(
        (o) => o !== g && o.rules.some((r) => r.referencedGroupId === g.groupId),
      );
      if (referenced || Object.values(state.networkInterfaces).some((n) => n.groupIds.includes(g.groupId)))
        throw dependencyViolation('security group', g.groupId);
      delete state.securityGroups[g.groupId];
      delete state.tags[g.groupId];
      return { Return: true, GroupId: g.groupId };
    },
    AuthorizeSecurityGroupIngress: authorize(false),
    AuthorizeSecurityGroupEgress: authorize(true),
    RevokeSecurityGroupIngress: revoke(false),
    RevokeSecurityGroupEgress: revoke(true),
    DescribeSecurityGroupRules(
      input: EC2.DescribeSecurityGroupRulesRequest,
      ctx,
    ): EC2.DescribeSecurityGroupRulesResult {
      const state = stateOf(ctx);
      const all = Object.values(state.securityGroups).flatMap((g) => g.rules.map((r) => ({ g, r })));
      const listed = input.SecurityGroupRuleIds?.length
        ? all.filter((x) => input.SecurityGroupRuleIds!.includes(x.r.ruleId))
        : all;
      const filtered = applyFilters(
        listed,
        input.Filters,
        { 'group-id': (x) => x.g.groupId, 'security-group-rule-id': (x) => x.r.ruleId },
        (x) => tagsOf(state, x.r.ruleId),
      );
      const { items, NextToken } = page(filtered, input);
      return {
        SecurityGroupRules: items.map((x) => ruleView(ctx, x.g, x.r, state)),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
