/**
 * Container instance resources as ECS counts them: CPU units, MiB of memory and host ports
 * (TCP and UDP). A task's needs come from its definition; what an instance has left is what it
 * registered minus the tasks placed on it that have not stopped — derived from the tasks, so a
 * stopped task gives its resources back and nothing drifts across a restart.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from '../../state/types';

/** Ports the ECS agent reserves on every instance. */
export const RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];

export interface Needs {
  cpu: number;
  memory: number;
  ports: string[];
  udpPorts: string[];
}

/** `1024`, `1 vCPU`, `0.5 vcpu` → CPU units; `512`, `1 GB`, `2GB` → MiB. */
export function units(v: string | number | undefined, kind: 'cpu' | 'memory'): number {
  if (v === undefined || v === '') return 0;
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(vcpu|gb)?$/i.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] ? Math.round(n * 1024) : kind === 'cpu' ? Math.round(n) : Math.round(n);
}

export function needsOf(def: TaskDefinitionRecord): Needs {
  const containers = def.containerDefinitions ?? [];
  const cpu = units(def.cpu, 'cpu') || containers.reduce((a, c) => a + (c.cpu ?? 0), 0);
  const memory =
    units(def.memory, 'memory') || containers.reduce((a, c) => a + (c.memoryReservation ?? c.memory ?? 0), 0);
  const ports: string[] = [];
  const udpPorts: string[] = [];
  if (def.networkMode !== 'awsvpc') {
    for (const c of containers) {
      for (const p of c.portMappings ?? []) {
        const host = def.networkMode === 'host' ? (p.hostPort ?? p.containerPort) : p.hostPort;
        if (!host) continue; // dynamic host port: nothing reserved in advance
        (p.protocol === 'udp' ? udpPorts : ports).push(String(host));
      }
    }
  }
  return { cpu, memory, ports, udpPorts };
}

const intResource = (name: string, value: number): ECS.Resource => ({
  name,
  type: 'INTEGER',
  doubleValue: 0,
  longValue: 0,
  integerValue: value,
});
const setResource = (name: string, value: string[]): ECS.Resource => ({
  name,
  type: 'STRINGSET',
  doubleValue: 0,
  longValue: 0,
  integerValue: 0,
  stringSetValue: value,
});

/** Registered resources in ECS's shape; anything the agent did not send gets the given defaults. */
export function registeredResources(given: ECS.Resource[] | undefined, defaults: { cpu: number; memory: number }) {
  const by = new Map((given ?? []).map((r) => [r.name, r]));
  return [
    by.get('CPU') ?? intResource('CPU', defaults.cpu),
    by.get('MEMORY') ?? intResource('MEMORY', defaults.memory),
    by.get('PORTS') ?? setResource('PORTS', RESERVED_PORTS),
    by.get('PORTS_UDP') ?? setResource('PORTS_UDP', []),
    ...(given ?? []).filter((r) => !['CPU', 'MEMORY', 'PORTS', 'PORTS_UDP'].includes(r.name!)),
  ];
}

const intOf = (rs: ECS.Resource[] | undefined, name: string) => {
  const r = rs?.find((x) => x.name === name);
  return r ? (r.integerValue ?? r.longValue ?? Math.floor(r.doubleValue ?? 0)) : 0;
};
const setOf = (rs: ECS.Resource[] | undefined, name: string) => rs?.find((x) => x.name === name)?.stringSetValue ?? [];

/** What an instance has left: resources as numbers and port sets, for placement. */
export interface Remaining {
  cpu: number;
  memory: number;
  ports: Set<string>;
  udpPorts: Set<string>;
}

export function remainingOf(ci: ContainerInstanceRecord, tasks: TaskRecord[]): Remaining {
  const r: Remaining = {
    cpu: intOf(ci.registeredResources, 'CPU'),
    memory: intOf(ci.registeredResources, 'MEMORY'),
    ports: new Set(setOf(ci.registeredResources, 'PORTS')),
    udpPorts: new Set(setOf(ci.registeredResources, 'PORTS_UDP')),
  };
  for (const t of tasks) debit(r, needsOf(t.definition));
  return r;
}

export function debit(r: Remaining, n: Needs): void {
  r.cpu -= n.cpu;
  r.memory -= n.memory;
  n.ports.forEach((p) => r.ports.add(p));
  n.udpPorts.forEach((p) => r.udpPorts.add(p));
}

/** Why `n` does not fit in `r` (ECS's reason), or undefined when it fits. */
export function misfit(r: Remaining, n: Needs): string | undefined {
  if (n.cpu > r.cpu) return 'RESOURCE:CPU';
  if (n.memory > r.memory) return 'RESOURCE:MEMORY';
  if (n.ports.some((p) => r.ports.has(p)) || n.udpPorts.some((p) => r.udpPorts.has(p))) return 'RESOURCE:PORTS';
  return undefined;
}

/** The remaining resources in ECS's shape (CPU and MEMORY left, PORTS in use including the reserved ones). */
export function remainingResources(ci: ContainerInstanceRecord, tasks: TaskRecord[]): ECS.Resource[] {
  const r = remainingOf(ci, tasks);
  return (ci.registeredResources ?? []).map((res) => {
    if (res.name === 'CPU') return intResource('CPU', r.cpu);
    if (res.name === 'MEMORY') return intResource('MEMORY', r.memory);
    if (res.name === 'PORTS') return setResource('PORTS', [...r.ports]);
    if (res.name === 'PORTS_UDP') return setResource('PORTS_UDP', [...r.udpPorts]);
    return res;
  });
}
