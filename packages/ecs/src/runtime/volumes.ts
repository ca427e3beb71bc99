import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRecord } from '../state/types';
import type { MountSpec } from './docker-spec';
import type { ContainerEngine } from './engine';

/** A task volume as the engine mounts it: a host folder or a named volume. */
export type VolumeSource = Omit<MountSpec, 'target' | 'readOnly'>;

/**
 * The task's volumes by ECS volume name: host paths, EFS/FSx emulated as a host folder per
 * file system id, shared Docker volumes (autoprovisioned when asked), and task-scoped volumes
 * (also EBS configured at launch), each of which `created` is told of so it goes with the task.
 */
export async function prepareVolumes(
  task: TaskRecord,
  engine: ContainerEngine,
  sharedVolumesRoot: string,
  created: (volumeName: string) => void,
): Promise<Map<string, VolumeSource>> {
  const out = new Map<string, VolumeSource>();
  const id = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
  for (const v of task.definition.volumes ?? []) {
    const name = v.name!;
    if (v.host?.sourcePath) {
      out.set(name, { type: 'bind', source: v.host.sourcePath });
    } else if (v.efsVolumeConfiguration || v.fsxWindowsFileServerVolumeConfiguration) {
      const cfg = v.efsVolumeConfiguration ?? v.fsxWindowsFileServerVolumeConfiguration!;
      const dir = path.join(sharedVolumesRoot, cfg.fileSystemId!, cfg.rootDirectory ?? '/');
      fs.mkdirSync(dir, { recursive: true });
      fs.chmodSync(dir, 0o777);
      out.set(name, { type: 'bind', source: dir });
    } else if (v.dockerVolumeConfiguration?.scope === 'shared') {
      const dv = v.dockerVolumeConfiguration;
      if (!(await engine.volumeExists(name))) {
        if (!dv.autoprovision) throw new Error(`volume '${name}' does not exist and autoprovision is false`);
        await engine.createVolume(name, dv.driver ?? 'local', dv.driverOpts ?? {}, dv.labels ?? {});
      }
      out.set(name, { type: 'volume', source: name });
    } else {
      const dv = v.dockerVolumeConfiguration;
      const volumeName = `dockside-${id}-${name}`;
      await engine.createVolume(volumeName, dv?.driver ?? 'local', dv?.driverOpts ?? {}, {
        ...(dv?.labels ?? {}),
        ...engine.labels(),
      });
      created(volumeName);
      out.set(name, { type: 'volume', source: volumeName });
    }
  }
  return out;
}
