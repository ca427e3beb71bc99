import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// jest has a module system of its own: the stand-ins are checked in a plain Node process, on the build.
const built = path.join(__dirname, '..', '..', '..', 'dist', 'runtime', 'docker', 'lazy-require.js');

function run(script: string): Record<string, unknown> {
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: __dirname }));
}

test('a lazily required module loads when a member is first constructed or called, not before', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-require-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules', 'heavy'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'node_modules', 'heavy', 'index.js'),
      'globalThis.heavyLoads = (globalThis.heavyLoads || 0) + 1;\n' +
        'class Thing { constructor(n) { this.n = n; } twice() { return this.n * 2; } }\n' +
        'module.exports = { Thing, add: (a, b) => a + b };\n',
    );
    // Reads a member as it loads, as docker-modem does with require('ssh2').Client.
    fs.writeFileSync(
      path.join(dir, 'user.js'),
      "const Thing = require('heavy').Thing; const heavy = require('heavy');\n" +
        'module.exports = { make: (n) => new Thing(n), add: (a, b) => heavy.add(a, b) };\n',
    );
    const out = run(`
      const { requireWithLazy } = require(${JSON.stringify(built)});
      const user = requireWithLazy(() => require(${JSON.stringify(path.join(dir, 'user.js'))}), ['heavy']);
      const before = globalThis.heavyLoads ?? 0;
      const thing = user.make(21);
      const after = globalThis.heavyLoads;
      const sum = user.add(2, 3);
      process.stdout.write(JSON.stringify({ before, after, twice: thing.twice(), sum, loads: globalThis.heavyLoads }));
    `);
    expect(out).toEqual({ before: 0, after: 1, twice: 42, sum: 5, loads: 1 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dockerode loads without ssh2, gRPC or protobufjs, and still makes a client', () => {
  const out = run(`
    const { requireWithLazy } = require(${JSON.stringify(built)});
    const Docker = requireWithLazy(() => require('dockerode'));
    const docker = new Docker({ socketPath: '/nonexistent.sock' });
    const heavy = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](ssh2|@grpc|protobufjs)[\\\\/]/.test(k));
    process.stdout.write(JSON.stringify({ heavy, modem: typeof docker.modem.dial }));
  `);
  expect(out).toEqual({ heavy: [], modem: 'function' });
});
