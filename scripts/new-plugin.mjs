#!/usr/bin/env node
// The plugin scaffold: `pnpm new-plugin <name> --sdk @aws-sdk/client-<x> [--dir <folder>]`.
// Creates packages/<name> (or <folder>/<name>) following the conventions of "Writing a plugin"
// (packages/core/README.md): a package that builds, loads in the CLI, answers every operation of
// the SDK's model with NotImplemented naming it, and has one passing e2e test.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(root, 'package.json'));

function fail(message) {
  process.stderr.write(`new-plugin: ${message}\n`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: { sdk: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
if (values.help || positionals.length !== 1 || !values.sdk) {
  process.stdout.write('usage: pnpm new-plugin <name> --sdk @aws-sdk/client-<service> [--dir <folder>]\n');
  process.exit(values.help ? 0 : 2);
}
const name = positionals[0];
if (!/^[a-z][a-z0-9-]{1,40}$/.test(name))
  fail(`the name '${name}' must be lowercase letters, digits and dashes (it is the --services name)`);
const sdk = values.sdk;
if (!/^@aws-sdk\/client-[a-z0-9-]+$/.test(sdk))
  fail(`--sdk must name an AWS SDK v3 client package, like @aws-sdk/client-sqs`);
const inRepo = !values.dir;
const dir = path.resolve(values.dir ?? path.join(root, 'packages'), name);
if (fs.existsSync(dir)) fail(`${dir} exists already`);

// The SDK must be installed to read its model; in the repo, add it (pinned) when it is not.
let sdkVersion;
try {
  sdkVersion = JSON.parse(fs.readFileSync(require.resolve(`${sdk}/package.json`), 'utf8')).version;
} catch {
  if (!inRepo) fail(`${sdk} is not installed in ${root}: add it first (pnpm add -w -D ${sdk})`);
  sdkVersion = execFileSync('npm', ['view', sdk, 'version'], { encoding: 'utf8' }).trim();
  execFileSync('pnpm', ['add', '-w', '-D', `${sdk}@${sdkVersion}`], { cwd: root, stdio: 'inherit' });
  // This process's module resolution predates the install (it once failed with MODULE_NOT_FOUND
  // here): carry on in a fresh one, which finds the SDK.
  execFileSync(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
  process.exit(0);
}
const { generateModel } = require('@dockside/core/dist/model/generate.js');
const model = generateModel(sdk, root);
const p = model.protocol;
if (!p) fail(`cannot tell how ${sdk} is reached (no protocol found in its client code)`);
if (!['awsJson1_0', 'awsJson1_1', 'awsQuery', 'ec2Query', 'restJson1'].includes(p.protocol)) {
  fail(
    `${sdk} speaks ${p.protocol}, which the gateway does not route yet (awsJson1_0, awsJson1_1, awsQuery, ec2Query and restJson1 are supported)`,
  );
}
const sdkModule = require(sdk);
const clientClass = Object.keys(sdkModule).find(
  (k) => k.endsWith('Client') && !k.startsWith('_') && typeof sdkModule[k] === 'function',
);
// The e2e test calls an operation that needs no input, so it reaches the handler lookup.
const shapes = model.shapes;
const needsNothing = (op) => !op.input || (shapes[op.input]?.required ?? []).length === 0;
const probe = Object.entries(model.operations).find(([, op]) => needsNothing(op))?.[0];
if (!clientClass || !probe) fail(`${sdk} has no client class or no operation without required input to test with`);

const pascal = name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
const camel = pascal[0].toLowerCase() + pascal.slice(1);
const rel = (to) => path.relative(dir, to).split(path.sep).join('/');
const protocolDef = [
  `        signingName: '${p.signingName}',`,
  `        protocol: '${p.protocol}',`,
  ...(p.targetPrefix ? [`        targetPrefix: '${p.targetPrefix}',`] : []),
  ...(p.protocol === 'awsQuery' || p.protocol === 'ec2Query'
    ? [`        apiVersion: '${p.apiVersion}',`, `        xmlNamespace: '${p.xmlNamespace}',`]
    : []),
  `        ...modelAt(path.join(__dirname, 'model.json')),`,
].join('\n');

const files = {
  'package.json':
    JSON.stringify(
      {
        name: `@dockside/${name}`,
        version: '0.1.0',
        description: `Dockside ${name} plugin (${sdk})`,
        main: 'dist/index.js',
        types: 'dist/index.d.ts',
        files: ['dist'],
        scripts: {
          build: `tsc -p tsconfig.json && dockside-model ${sdk} dist/model.json`,
          typecheck: 'tsc -p tsconfig.json --noEmit',
        },
        dependencies: { '@dockside/core': 'workspace:*', [sdk]: sdkVersion },
      },
      null,
      2,
    ) + '\n',
  'tsconfig.json':
    JSON.stringify(
      {
        extends: rel(path.join(root, 'tsconfig.base.json')),
        compilerOptions: { outDir: 'dist', rootDir: 'src' },
        include: ['src'],
        exclude: ['src/**/*.test.ts'],
      },
      null,
      2,
    ) + '\n',
  'README.md': `# @dockside/${name}\n\nThe ${p.signingName} service for Dockside (\`${sdk}@${sdkVersion}\`, ${p.protocol}). Scaffolded: every\noperation of the model answers \`NotImplemented\` naming itself until it gets a handler in\n\`src/operations/\`. See "Writing a plugin" in packages/core/README.md.\n`,
  'src/index.ts': `import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin } from '@dockside/core';
import './contract';
import { operations } from './operations';
import type { ${pascal}Options } from './options';
import { emptyState, type ${pascal}State } from './state/types';

export type { ${pascal}Calls } from './contract';
export type { ${pascal}Options } from './options';

/** The ${p.signingName} plugin: \`createGateway({ plugins: [${camel}()] })\`. */
export function ${camel}(options: ${pascal}Options = {}): DocksidePlugin {
  const store = new Store<${pascal}State>(emptyState);
  return {
    name: '${name}',
    protocols: [
      {
${protocolDef}
      },
    ],
    state: store,
    setup(ctx) {
      return { operations: operations({ store, options, bus: ctx.bus, logger: ctx.logger }) };
    },
  };
}

export default ${camel};
`,
  'src/options.ts': `/** Options of the ${name} plugin (each gets a CLI flag when it is user-facing). */\n// eslint-disable-next-line @typescript-eslint/no-empty-object-type\nexport interface ${pascal}Options {}\n`,
  'src/contract.ts': `/**
 * The ${name} plugin's public contract: the operations other plugins may call through the bus
 * and the events it publishes. Types only.
 */
import type { Call } from '@dockside/core';
import type * as SDK from '${sdk}';

/** Add an entry per operation another plugin calls: \`Name: Call<SDK.NameRequest, SDK.NameResponse>\`. */
export interface ${pascal}Calls {
  ${probe}: Call<SDK.${probe}CommandInput, SDK.${probe}CommandOutput>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    '${p.signingName}': ${pascal}Calls;
  }
}
`,
  'src/errors.ts': `/** The plugin's error catalogue: one constructor per AWS error it returns, in AWS's wording. */\nimport { ServiceError } from '@dockside/core';\n\nexport const validationError = (message: string) => new ServiceError('ValidationException', message);\n`,
  'src/state/types.ts': `/** One account + region of ${name}. Timestamps are \`Date\`. */\n// eslint-disable-next-line @typescript-eslint/no-empty-object-type\nexport interface ${pascal}State {}\n\nexport const emptyState = (): ${pascal}State => ({});\n`,
  'src/domain/README.md': `The service's model and rules live here: plain modules that operations, schedulers and\nbackground work share. Nothing here knows about HTTP.\n`,
  'src/operations/index.ts': `import type { Bus, Logger, OperationMap, Store } from '@dockside/core';
import type { ${pascal}Options } from '../options';
import type { ${pascal}State } from '../state/types';

export interface ${pascal}Deps {
  store: Store<${pascal}State>;
  options: ${pascal}Options;
  bus: Bus;
  logger: Logger;
}

/**
 * Handlers keyed by AWS operation name, one file per resource family (\`operations/<resource>.ts\`)
 * spread in here. An operation of the model without a handler answers NotImplemented naming it.
 */
export function operations(_deps: ${pascal}Deps): OperationMap {
  return {};
}
`,
  [`test/${name}.test.ts`]: `import { ${clientClass}, ${probe}Command } from '${sdk}';
import { useTestGateway } from '@dockside/testing';
import { ${camel} } from '@dockside/${name}';

const gw = useTestGateway(() => ({ plugins: [${camel}()] }));
const client = gw.sdk(${clientClass});

test('an operation without a handler answers NotImplemented naming it', async () => {
  await expect(client.send(new ${probe}Command({}))).rejects.toMatchObject({
    name: 'NotImplemented',
    message: expect.stringContaining('${probe}'),
    $metadata: { httpStatusCode: 501 },
  });
});
`,
};
for (const [file, text] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

if (inRepo) {
  // Loads in the CLI: known to --services, and a dependency of the app (so the packed CLI has it).
  const pluginsFile = path.join(root, 'apps/dockside/src/plugins.ts');
  const src = fs.readFileSync(pluginsFile, 'utf8');
  if (!src.includes(`'@dockside/${name}'`)) {
    fs.writeFileSync(
      pluginsFile,
      src
        .replace(/(export const KNOWN_PLUGINS: Record<string, string> = \{\n)/, `$1  '${name}': '@dockside/${name}',\n`)
        .replace(
          /(const LOADERS: Record<string, \(\) => PluginModule> = \{\n)/,
          `$1  '@dockside/${name}': () => require('@dockside/${name}'),\n`,
        ),
    );
  }
  const appPkgFile = path.join(root, 'apps/dockside/package.json');
  const appPkg = JSON.parse(fs.readFileSync(appPkgFile, 'utf8'));
  appPkg.dependencies[`@dockside/${name}`] = 'workspace:*';
  fs.writeFileSync(appPkgFile, JSON.stringify(appPkg, null, 2) + '\n');
  const rootPkgFile = path.join(root, 'package.json');
  const rootPkg = JSON.parse(fs.readFileSync(rootPkgFile, 'utf8'));
  rootPkg.devDependencies[`@dockside/${name}`] = 'workspace:*';
  fs.writeFileSync(rootPkgFile, JSON.stringify(rootPkg, null, 2) + '\n');
  execFileSync('pnpm', ['install', '--offline'], { cwd: root, stdio: 'inherit' });
}
process.stdout.write(
  `Created ${dir}: ${Object.keys(model.operations).length} operations of ${sdk}@${sdkVersion} (${p.protocol}, signing name ${p.signingName}), all NotImplemented.\n` +
    (inRepo ? `Next: pnpm build && pnpm start -- --services ${name}; tests in ${name}/test/.\n` : ''),
);
