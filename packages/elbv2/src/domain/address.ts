/**
 * Where a target really is. `ip` targets are their address (a task's ENI address on the Docker
 * network). `instance` targets are Dockside's container instances, which all stand for the
 * local container engine host, where ECS publishes bridge and host mode ports: loopback.
 */
import type { TargetGroupRecord, TargetRecord } from '../state/types';

export function targetHost(tg: TargetGroupRecord, t: Pick<TargetRecord, 'id'>): string {
  return tg.targetType === 'ip' ? t.id : '127.0.0.1';
}
