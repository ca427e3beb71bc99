/** vCPUs and memory (MiB) of the instance types Dockside knows (what a container instance registers). */
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

/** Memory the ECS agent registers: the instance's, less what the OS keeps (about 5 %). */
export const ecsRegisteredMemory = (memoryMiB: number) => Math.floor(memoryMiB * 0.95);
