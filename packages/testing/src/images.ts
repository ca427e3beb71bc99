import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { dockerClient } from './docker';

/** Offline test images, built from files already on this machine (no registry is reached). */
export const TEST_IMAGES = {
  busybox: 'dockside-test/busybox:latest',
  node: 'dockside-test/node:latest',
} as const;

/** Shell tools copied from the host when Debian's busybox-static is not installed. */
const HOST_TOOLS = [
  'sh',
  'sleep',
  'cat',
  'echo',
  'id',
  'env',
  'ls',
  'true',
  'false',
  'printf',
  'head',
  'tail',
  'grep',
  'touch',
  'mkdir',
  'hostname',
  'stat',
  'kill',
  'wc',
  'df',
  'mount',
  'date',
  'seq',
  'yes',
  'tr',
  'rm',
  'nc',
];
const BUSYBOX_APPLETS = [
  ...HOST_TOOLS,
  'httpd',
  'ps',
  'top',
  'ip',
  'ifconfig',
  'nslookup',
  'timeout',
  'dd',
  'free',
  'awk',
  'sed',
  'test',
  '[',
];

const which = (bin: string): string | undefined => {
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const p = path.join(dir, bin);
    if (fs.existsSync(p)) return fs.realpathSync(p);
  }
  return undefined;
};

/** The shared libraries (and loader) `ldd` lists for a binary; none for a static one. */
function sharedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

function copyInto(root: string, file: string, as = file) {
  const dest = path.join(root, as);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(file, dest);
  fs.chmodSync(dest, fs.statSync(file).mode);
}

/** Builds a root filesystem folder, tars it and `docker import`s it under `tag`. */
async function importRootfs(
  docker: Docker,
  tag: string,
  fill: (root: string) => void,
  changes: string[],
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-image-'));
  const root = path.join(dir, 'rootfs');
  try {
    for (const d of ['bin', 'tmp', 'etc', 'proc', 'sys', 'dev', 'root'])
      fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fs.writeFileSync(
      path.join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n',
    );
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    fill(root);
    const tarball = path.join(dir, 'rootfs.tar');
    execFileSync('tar', ['-C', root, '-cf', tarball, '.']);
    const [repo, version] = tag.split(':');
    const stream = await docker.importImage(tarball, { repo, tag: version ?? 'latest', changes } as never);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream as unknown as NodeJS.ReadableStream, (err: Error | null) =>
        err ? reject(err) : resolve(),
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * A small shell image: Debian's static busybox when installed (`apt-get install busybox-static`),
 * otherwise the host's own sh and coreutils with their libraries. Idempotent.
 */
export async function ensureBusyboxImage(docker: Docker = dockerClient()): Promise<string> {
  const tag = TEST_IMAGES.busybox;
  if (await imageExists(docker, tag)) return tag;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  await importRootfs(
    docker,
    tag,
    (root) => {
      if (busybox) {
        copyInto(root, busybox, '/bin/busybox');
        for (const applet of BUSYBOX_APPLETS) fs.symlinkSync('busybox', path.join(root, 'bin', applet));
        return;
      }
      for (const tool of HOST_TOOLS) {
        const real = which(tool);
        if (!real) continue;
        copyInto(root, real, `/bin/${tool}`);
        for (const lib of sharedLibraries(real)) if (!fs.existsSync(path.join(root, lib))) copyInto(root, lib);
      }
    },
    ['ENV PATH=/bin', 'CMD ["/bin/sh"]'],
  );
  return tag;
}

/** An image with this machine's own Node.js (the running `node` and its libraries). Idempotent. */
export async function ensureNodeImage(docker: Docker = dockerClient()): Promise<string> {
  const tag = TEST_IMAGES.node;
  if (await imageExists(docker, tag)) return tag;
  const node = fs.realpathSync(process.execPath);
  await importRootfs(
    docker,
    tag,
    (root) => {
      copyInto(root, node, '/usr/local/bin/node');
      for (const lib of sharedLibraries(node)) if (!fs.existsSync(path.join(root, lib))) copyInto(root, lib);
      const sh = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
      if (sh) {
        copyInto(root, sh, '/bin/busybox');
        fs.symlinkSync('busybox', path.join(root, 'bin', 'sh'));
      }
    },
    ['ENV PATH=/usr/local/bin:/bin', 'CMD ["/usr/local/bin/node"]'],
  );
  return tag;
}

/** Builds every test image (skipping those present). */
export async function ensureTestImages(docker: Docker = dockerClient()): Promise<string[]> {
  return [await ensureBusyboxImage(docker), await ensureNodeImage(docker)];
}
