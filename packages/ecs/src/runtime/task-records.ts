/**
 * What the runtime writes into task records from engine facts: ENI attachment details, network
 * bindings, container ARNs, engine error text, log options with secret values merged in.
 */
import { randomUUID } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import type { ContainerInfo } from './engine';

export function setDetail(a: ECS.Attachment, name: string, value: string) {
  const d = (a.details ??= []).find((x) => x.name === name);
  if (d) d.value = value;
  else a.details.push({ name, value });
}

/** The engine's own message for a failed call (dockerode puts it in `json.message`). */
export function engineMessage(e: unknown): string {
  return (e as { json?: { message?: string } }).json?.message ?? (e as Error).message ?? String(e);
}

/** The definition with `secretOptions` values merged into its log options. */
export function withLogOptions(
  def: ECS.ContainerDefinition,
  extra: Record<string, string> | undefined,
): ECS.ContainerDefinition {
  if (!extra || !def.logConfiguration) return def;
  return {
    ...def,
    logConfiguration: { ...def.logConfiguration, options: { ...def.logConfiguration.options, ...extra } },
  };
}

/** The host ports an engine published for a container, as ECS reports network bindings. */
export function bindingsOf(info: ContainerInfo): ECS.NetworkBinding[] {
  const out: ECS.NetworkBinding[] = [];
  for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    for (const b of (binds as Array<{ HostIp: string; HostPort: string }> | null) ?? []) {
      if (b.HostIp.includes(':')) continue; // the IPv6 duplicate of the same binding
      out.push({
        bindIP: b.HostIp,
        containerPort: Number(port),
        hostPort: Number(b.HostPort),
        protocol: protocol as ECS.TransportProtocol,
      });
    }
  }
  return out;
}

/** A new container ARN of the task (`…:container/<cluster>/<task id>/<uuid>`). */
export const newContainerArn = (task: { taskArn: string; clusterArn: string }) => {
  const [prefix] = task.taskArn.split(':task/');
  const cluster = task.clusterArn.slice(task.clusterArn.lastIndexOf('/') + 1);
  return `${prefix}:container/${cluster}/${task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1)}/${randomUUID()}`;
};
