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
