/**
 * AWS's public catalog that several plugins present the same way: the ECS-optimized AMIs (named
 * by the public SSM parameters `/aws/service/ecs/optimized-ami/…`, described by EC2's
 * DescribeImages). Ids are plausible and stable per region and variant; no image is behind them.
 */
import { createHash } from 'node:crypto';

/** The ECS-optimized AMI families: path under optimized-ami, OS name, architecture, image name stem. */
export const ECS_OPTIMIZED_AMIS: ReadonlyArray<readonly [path: string, os: string, arch: string, stem: string]> = [
  ['amazon-linux-2023', 'Amazon Linux 2023', 'x86_64', 'al2023-ami-ecs-hvm-2023.0.20261115-kernel-6.1'],
  ['amazon-linux-2023/arm64', 'Amazon Linux 2023', 'arm64', 'al2023-ami-ecs-hvm-2023.0.20261115-kernel-6.1'],
  ['amazon-linux-2023/gpu', 'Amazon Linux 2023', 'x86_64', 'al2023-ami-ecs-gpu-hvm-2023.0.20261115-kernel-6.1'],
  ['amazon-linux-2023/neuron', 'Amazon Linux 2023', 'x86_64', 'al2023-ami-ecs-neuron-hvm-2023.0.20261115-kernel-6.1'],
  ['amazon-linux-2', 'Amazon Linux 2', 'x86_64', 'amzn2-ami-ecs-hvm-2.0.20261115'],
  ['amazon-linux-2/arm64', 'Amazon Linux 2', 'arm64', 'amzn2-ami-ecs-hvm-2.0.20261115'],
  ['amazon-linux-2/gpu', 'Amazon Linux 2', 'x86_64', 'amzn2-ami-ecs-gpu-hvm-2.0.20261115'],
  ['amazon-linux-2/inf', 'Amazon Linux 2', 'x86_64', 'amzn2-ami-ecs-inf-hvm-2.0.20261115'],
  ['amazon-linux-2/kernel-5.10', 'Amazon Linux 2', 'x86_64', 'amzn2-ami-ecs-kernel-5.10-hvm-2.0.20261115'],
];

/** When the catalog's images were published. */
export const ECS_OPTIMIZED_AMIS_PUBLISHED = new Date('2026-11-15T00:00:00Z');

/** The id Dockside gives an ECS-optimized AMI of a region and variant (stable, plausible). */
export function ecsOptimizedAmiId(region: string, variant: string): string {
  return `ami-0${createHash('sha256').update(`${region}:${variant}`).digest('hex').slice(0, 16)}`;
}

/** vCPUs and memory (MiB) of common EC2 instance types (an instance, and the container instance it registers). */
export const INSTANCE_TYPES: Record<string, { vcpus: number; memoryMiB: number }> = {
  't2.micro': { vcpus: 1, memoryMiB: 1024 },
  't2.small': { vcpus: 1, memoryMiB: 2048 },
  't2.medium': { vcpus: 2, memoryMiB: 4096 },
  't2.large': { vcpus: 2, memoryMiB: 8192 },
  't3.nano': { vcpus: 2, memoryMiB: 512 },
  't3.micro': { vcpus: 2, memoryMiB: 1024 },
  't3.small': { vcpus: 2, memoryMiB: 2048 },
  't3.medium': { vcpus: 2, memoryMiB: 4096 },
  't3.large': { vcpus: 2, memoryMiB: 8192 },
  't3.xlarge': { vcpus: 4, memoryMiB: 16384 },
  't3.2xlarge': { vcpus: 8, memoryMiB: 32768 },
  't4g.micro': { vcpus: 2, memoryMiB: 1024 },
  't4g.small': { vcpus: 2, memoryMiB: 2048 },
  't4g.medium': { vcpus: 2, memoryMiB: 4096 },
  'm1.small': { vcpus: 1, memoryMiB: 1740 },
  'm5.large': { vcpus: 2, memoryMiB: 8192 },
  'm5.xlarge': { vcpus: 4, memoryMiB: 16384 },
  'm5.2xlarge': { vcpus: 8, memoryMiB: 32768 },
  'm5.4xlarge': { vcpus: 16, memoryMiB: 65536 },
  'm6i.large': { vcpus: 2, memoryMiB: 8192 },
  'm6i.xlarge': { vcpus: 4, memoryMiB: 16384 },
  'm7g.large': { vcpus: 2, memoryMiB: 8192 },
  'c5.large': { vcpus: 2, memoryMiB: 4096 },
  'c5.xlarge': { vcpus: 4, memoryMiB: 8192 },
  'c6i.large': { vcpus: 2, memoryMiB: 4096 },
  'r5.large': { vcpus: 2, memoryMiB: 16384 },
  'r5.xlarge': { vcpus: 4, memoryMiB: 32768 },
};

/** Memory the ECS agent registers for an instance: its memory less what the OS keeps (about 5 %). */
export const ecsRegisteredMemory = (memoryMiB: number) => Math.floor(memoryMiB * 0.95);
