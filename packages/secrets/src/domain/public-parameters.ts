/**
 * AWS's public parameters that ECS users read, served read-only under `/aws/service/`: the
 * ECS-optimized AMI ids (`/aws/service/ecs/optimized-ami/…`, which CDK's EcsOptimizedImage and
 * Terraform's `data "aws_ssm_parameter"` use to launch container instances) and the global
 * infrastructure (`/aws/service/global-infrastructure/regions/…`). Values are plausible, not
 * AWS's: AMI ids are stable per region and variant (`ami-` + 17 hex digits), and there is no
 * image behind them. Computed on demand, never stored, so they are the same in every account.
 */
import { ECS_OPTIMIZED_AMIS, ECS_OPTIMIZED_AMIS_PUBLISHED, ecsOptimizedAmiId } from '@dockside/core';
import type { ParameterRecord } from '../state/types';

export const PUBLIC_PREFIX = '/aws/service/';

const REGIONS: Array<[region: string, azPrefix: string, longName: string]> = [
  ['us-east-1', 'use1', 'US East (N. Virginia)'],
  ['us-east-2', 'use2', 'US East (Ohio)'],
  ['us-west-1', 'usw1', 'US West (N. California)'],
  ['us-west-2', 'usw2', 'US West (Oregon)'],
  ['ca-central-1', 'cac1', 'Canada (Central)'],
  ['sa-east-1', 'sae1', 'South America (Sao Paulo)'],
  ['eu-west-1', 'euw1', 'Europe (Ireland)'],
  ['eu-west-2', 'euw2', 'Europe (London)'],
  ['eu-west-3', 'euw3', 'Europe (Paris)'],
  ['eu-central-1', 'euc1', 'Europe (Frankfurt)'],
  ['eu-north-1', 'eun1', 'Europe (Stockholm)'],
  ['ap-south-1', 'aps1', 'Asia Pacific (Mumbai)'],
  ['ap-southeast-1', 'apse1', 'Asia Pacific (Singapore)'],
  ['ap-southeast-2', 'apse2', 'Asia Pacific (Sydney)'],
  ['ap-northeast-1', 'apne1', 'Asia Pacific (Tokyo)'],
  ['ap-northeast-2', 'apne2', 'Asia Pacific (Seoul)'],
];

const PUBLISHED = ECS_OPTIMIZED_AMIS_PUBLISHED;

function parameter(region: string, name: string, value: string, dataType = 'text'): ParameterRecord {
  return {
    name,
    // Public parameters belong to no account: AWS's ARNs for them leave the account out.
    arn: `arn:aws:ssm:${region}::parameter${name}`,
    tags: [],
    history: [
      {
        version: 1,
        value,
        type: 'String',
        tier: 'Standard',
        dataType,
        policies: [],
        lastModifiedDate: PUBLISHED,
        lastModifiedUser: 'arn:aws:iam::aws:root',
        labels: [],
      },
    ],
  };
}

/** Every public parameter as seen from `region`, sorted by name. */
export function publicParameters(region: string): ParameterRecord[] {
  const out: ParameterRecord[] = [];
  for (const [path, os, arch, stem] of ECS_OPTIMIZED_AMIS) {
    const base = `/aws/service/ecs/optimized-ami/${path}/recommended`;
    const fields = {
      ecs_agent_version: '1.99.0',
      ecs_runtime_version: 'Docker version 25.0.8',
      image_id: ecsOptimizedAmiId(region, path),
      image_name: `${stem}-${arch}`,
      image_version: stem.match(/(\d+\.\d+\.\d+)/)?.[1] ?? '1.0.0',
      os,
      schema_version: 1,
      source_image_name: `${stem.replace('-ecs', '').replace('-gpu', '').replace('-neuron', '').replace('-inf', '')}-${arch}`,
    };
    out.push(parameter(region, base, JSON.stringify(fields)));
    for (const [k, v] of Object.entries(fields)) {
      out.push(parameter(region, `${base}/${k}`, String(v), k === 'image_id' ? 'aws:ec2:image' : 'text'));
    }
  }
  for (const [r, az, longName] of REGIONS) {
    const base = `/aws/service/global-infrastructure/regions/${r}`;
    out.push(parameter(region, base, r));
    out.push(parameter(region, `${base}/longName`, longName));
    out.push(parameter(region, `${base}/domain`, 'amazonaws.com'));
    out.push(parameter(region, `${base}/partition`, 'aws'));
    out.push(parameter(region, `${base}/geolocationRegion`, r));
    for (let i = 1; i <= 3; i++) {
      out.push(parameter(region, `${base}/availability-zones/${az}-az${i}`, `${az}-az${i}`));
      out.push(parameter(region, `/aws/service/global-infrastructure/availability-zones/${az}-az${i}`, `${az}-az${i}`));
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One public parameter by name, or undefined. */
export function publicParameter(region: string, name: string): ParameterRecord | undefined {
  if (!name.startsWith(PUBLIC_PREFIX)) return undefined;
  return publicParameters(region).find((p) => p.name === name);
}
