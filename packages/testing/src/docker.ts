import Docker from 'dockerode';

/** A dockerode client for DOCKER_HOST or the default socket. */
export function dockerClient(): Docker {
  return new Docker();
}

/** True when a container engine answers a ping within `timeoutMs`. */
export async function dockerAvailable(timeoutMs = 2000, docker: Docker = dockerClient()): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Removes the names (tags and digest references) an engine holds for repositories starting with
 * `prefix`, without force: an image that also has other names keeps them and stays.
 */
export async function removeImageNames(prefix: string, docker: Docker = dockerClient()): Promise<void> {
  for (const image of await docker.listImages({ all: true })) {
    const names = [
      ...(image.RepoTags ?? []).filter((t) => t.startsWith(prefix)),
      ...(image.RepoDigests ?? []).filter((d) => d.startsWith(prefix)),
    ];
    for (const name of names)
      await docker
        .getImage(name)
        .remove()
        .catch(() => undefined);
  }
}
